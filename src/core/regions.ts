// GB/T 2260 administrative division codes the programme uses: Qingdao and its districts and
// county-level cities.

export const REGIONS: Readonly<Record<string, { zh: string; en: string }>> = {
  '370200': { zh: '青岛市', en: 'Qingdao' },
  '370202': { zh: '市南区', en: 'Shinan District' },
  '370203': { zh: '市北区', en: 'Shibei District' },
  '370211': { zh: '黄岛区', en: 'Huangdao District' },
  '370212': { zh: '崂山区', en: 'Laoshan District' },
  '370213': { zh: '李沧区', en: 'Licang District' },
  '370214': { zh: '城阳区', en: 'Chengyang District' },
  '370215': { zh: '即墨区', en: 'Jimo District' },
  '370281': { zh: '胶州市', en: 'Jiaozhou' },
  '370283': { zh: '平度市', en: 'Pingdu' },
  '370285': { zh: '莱西市', en: 'Laixi' },
};

export function isRegionCode(code: unknown): code is string {
  return typeof code === 'string' && Object.hasOwn(REGIONS, code);
}
