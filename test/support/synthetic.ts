// Varied synthetic licences for size measurements (bundle bytes a licence): distinct holder
// names, USCC-like codes with a valid GB 32100 check character, addresses, products and
// dates, from a seeded generator so every run sees the same programme.
import { addYears, fromDayNumber, dayNumber, REGIONS, type LicenceEntry, type Sector, type Tier } from '../../src/core/index.ts';

/** A small deterministic generator (mulberry32). */
export function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const HAN = '海滨崂山琴岛黄岛胶州即墨平度莱西城阳李沧市南市北金沙银滩红瓦绿树碧波蓝天春秋华盛鑫源泰和康宁永丰福瑞嘉禾丰年益民宏达昌隆德润明远恒信兴旺安康东方西海南山北岭云帆星辰晨光朝阳松柏梅兰竹菊青禾稻香麦浪渔港蓝湾珊瑚贝壳海鸥白鹭丹顶翠微清泉石泉玉泉甘露琼浆醇香甜蜜';
const TRADES = ['食品', '海洋生物', '啤酒', '纺织', '机械', '茶业', '水产', '果蔬', '家电', '橡胶', '服饰', '调味品', '葡萄酒', '海产品', '农业科技', '工艺品'];
const FORMS = ['有限公司', '股份有限公司', '有限责任公司', '专业合作社', '食品厂'];
const ROADS = ['香港中', '山东', '延安', '辽阳西', '黑龙江南', '长江中', '滨海大道', '正阳', '九水东', '重庆南', '海尔', '株洲', '深圳', '银川西', '福州南'];
const PRODUCTS = ['海参', '鲍鱼', '扇贝', '啤酒', '绿茶', '红茶', '苹果', '大樱桃', '蓝莓', '花生', '海带', '虾皮', '面粉', '酱油', '醋', '辣酱', '毛巾', '衬衫', '轮胎', '冰箱', '洗衣机', '葡萄酒', '蜂蜜', '小米', '大姜', '西红柿', '黄瓜', '牡蛎', '海蜇', '鱿鱼'];
const PACKS = ['礼盒', '精装', '家庭装', '袋装', '罐装', '', '', ''];
const CHAINS = ['食品饮料', '海洋经济', '纺织服装', '家电电子', '现代农业', '橡胶轮胎', null, null];
const TIERS: Tier[] = ['product', 'product', 'product', 'enterprise', 'enterprise', 'industry', 'region'];
const SECTORS: Sector[] = ['manufacturing', 'agriculture', 'services', 'marine'];
const USCC_CHARS = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const USCC_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
const DISTRICTS = Object.keys(REGIONS).filter((code) => code !== '370200');

export function uscc(random: () => number, region: string): string {
  let body = `91${region}`;
  for (let i = 0; i < 9; i++) body += USCC_CHARS[Math.floor(random() * 31)]!;
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += USCC_CHARS.indexOf(body[i]!) * USCC_WEIGHTS[i]!;
  return body + USCC_CHARS[(31 - (sum % 31)) % 31]!;
}

const pick = <T>(random: () => number, list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
const han = (random: () => number, n: number) => Array.from({ length: n }, () => HAN[Math.floor(random() * HAN.length)]!).join('');

export interface SyntheticLicence {
  serial: number;
  rev: number;
  entry: LicenceEntry;
}

/** `count` varied licences, serials 1…count. */
export function syntheticLicences(count: number, seed = 2026): SyntheticLicence[] {
  const random = mulberry32(seed);
  const out: SyntheticLicence[] = [];
  for (let serial = 1; serial <= count; serial++) {
    const regionRoll = random();
    const region = regionRoll < 0.05 ? null : regionRoll < 0.1 ? '370200' : pick(random, DISTRICTS);
    const brand = han(random, 2 + Math.floor(random() * 2));
    const name = `青岛${brand}${pick(random, TRADES)}${pick(random, FORMS)}`;
    const district = REGIONS[region ?? '370202']!.zh;
    const address = random() < 0.1 ? null : `山东省青岛市${district}${pick(random, ROADS)}路${1 + Math.floor(random() * 400)}号${random() < 0.3 ? `${1 + Math.floor(random() * 20)}号楼` : ''}`;
    const products = Array.from({ length: 1 + Math.floor(random() * 3) }, () => `${brand}${pick(random, PRODUCTS)}${pick(random, PACKS)}`);
    const from = dayNumber('2024-01-01') + Math.floor(random() * 1000);
    const validFrom = fromDayNumber(from);
    const revoked = random() < 0.01;
    out.push({
      serial,
      rev: random() < 0.9 ? 1 : 2 + Math.floor(random() * 6),
      entry: {
        number: `QDYP-${validFrom.slice(0, 4)}-${String(serial).padStart(6, '0')}`,
        holder: { name, uscc: uscc(random, region ?? '370200'), address },
        tier: pick(random, TIERS),
        sector: pick(random, SECTORS),
        chain: pick(random, CHAINS),
        region,
        products,
        trademarks: random() < 0.2 ? [] : [brand],
        validFrom,
        validUntil: fromDayNumber(dayNumber(addYears(validFrom, 3)) - 1),
        status: revoked ? 'revoked' : 'valid',
        statusReason: revoked ? '抽检不合格' : null,
        statusChangedAt: new Date(Date.parse(`${validFrom}T00:00:00Z`) + Math.floor(random() * 86_400) * 1000).toISOString(),
      },
    });
  }
  return out;
}
