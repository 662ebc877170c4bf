// What the print guide says, once, for both the HTML page and the certificate's second page.
// The figures come from the same constants that refuse a too-small print.

import { MESSAGES } from '../../core/index.ts';
import type { BilingualText } from './errors.ts';
import { DEFAULT_SIZE_MM, formatMm, MIN_MODULE_MM, PRINT_DPIS, PRINT_SIZES_MM } from './print-size.ts';
import { MAX_QR_VERSION, QUIET_ZONE_MODULES } from './qr.ts';

export interface GuideSection {
  title: BilingualText;
  items: BilingualText[];
}

export interface PrintGuide {
  title: BilingualText;
  intro: BilingualText;
  sections: GuideSection[];
}

/** Modules per side of the largest code a seal URL produces (version 8: 49). */
const MODULES = 17 + 4 * MAX_QR_VERSION;
const GUIDE_MINIMUM_MM = formatMm((MODULES + 2 * QUIET_ZONE_MODULES) * MIN_MODULE_MM);

export function printGuide(verifyDomain?: string): PrintGuide {
  const [, usual, large] = PRINT_SIZES_MM;
  const quietMm = ((QUIET_ZONE_MODULES * DEFAULT_SIZE_MM) / (MODULES + 2 * QUIET_ZONE_MODULES)).toFixed(1);
  const domain = verifyDomain ?? '青岛优品官方核验网址';
  const domainEn = verifyDomain ?? 'the official 青岛优品 verify site';
  const authorized = { zh: MESSAGES['zh-CN'].outcomes.authorized.title, en: MESSAGES.en.outcomes.authorized.title };
  return {
    title: { zh: '青岛优品二维码印刷指南', en: 'Print guide for the 青岛优品 QR code' },
    intro: {
      zh: '包装上的二维码让消费者和市场监管人员用手机核验您的授权。请按以下要求印刷，确保每一件商品都能扫出。',
      en: 'The code on your packaging lets shoppers and market inspectors check your authorization with a phone. Print it as below so that every pack scans.',
    },
    sections: [
      {
        title: { zh: '尺寸', en: 'Size' },
        items: [
          {
            zh: `含四周留白，最小 ${GUIDE_MINIMUM_MM} 毫米（每个小方块 ${MIN_MODULE_MM} 毫米）。建议 ${usual} 毫米；曲面包装或远距离扫描用 ${large} 毫米。PNG 文件提供 ${PRINT_SIZES_MM.join('、')} 毫米三种尺寸。`,
            en: `At least ${GUIDE_MINIMUM_MM} mm including the quiet zone (${MIN_MODULE_MM} mm per module). ${usual} mm is recommended; ${large} mm for curved packs or scanning from further away. PNG files come in ${PRINT_SIZES_MM.join(', ')} mm.`,
          },
          {
            zh: '按 100% 比例置入，不得拉伸或压扁：宽度和高度必须相等。',
            en: 'Place it at 100 %; never stretch or squash it: width and height must stay equal.',
          },
          {
            zh: `优先使用 SVG 矢量文件。PNG 文件已按 ${PRINT_DPIS.join(' 或 ')} dpi 制作并标明分辨率，请勿重新采样或缩放。`,
            en: `Prefer the SVG vector file. PNG files are made for ${PRINT_DPIS.join(' or ')} dpi and carry their resolution: do not resample or rescale them.`,
          },
        ],
      },
      {
        title: { zh: '留白', en: 'Quiet zone' },
        items: [
          {
            zh: `二维码四周须留出至少 ${QUIET_ZONE_MODULES} 个小方块宽的空白（${DEFAULT_SIZE_MM} 毫米规格约 ${quietMm} 毫米）。文件已含留白：不要裁掉，也不要在其中放置文字、线条或图案。`,
            en: `Keep a blank margin at least ${QUIET_ZONE_MODULES} modules wide on every side (about ${quietMm} mm at ${DEFAULT_SIZE_MM} mm). The files include it: do not crop it, and put no text, rules or pictures in it.`,
          },
        ],
      },
      {
        title: { zh: '颜色', en: 'Colours' },
        items: [
          {
            zh: '深色码印在浅色底上：黑色或深色印在白色或浅色实地上，对比度越高越好。',
            en: 'Dark on light: black or a dark colour on a solid white or pale background; the more contrast, the better.',
          },
          {
            zh: '不得反色（浅色码印在深色底上）：许多扫码程序无法识别反色码。',
            en: 'Never invert it (a light code on a dark background): many scanners cannot read an inverted code.',
          },
          {
            zh: '二维码不用渐变、网点、透明叠印或金属、荧光油墨。',
            en: 'No gradients, screens, transparent overprints, metallic or fluorescent inks for the code.',
          },
        ],
      },
      {
        title: { zh: '不得改动', en: 'No alteration' },
        items: [
          {
            zh: '每个许可有自己唯一的二维码，只能使用工程办公室提供的文件。不得重新生成或重绘，不得在码中加图标，不得改变小方块的形状或颜色。',
            en: 'Each licence has its own code: use only the files the programme office provides. Do not regenerate or redraw it, put a logo inside it, or change the shape or colour of its modules.',
          },
          {
            zh: '不得把本许可的二维码用于未列入许可的产品，也不得提供给其他单位使用。',
            en: "Do not put this licence's code on products the licence does not list, or give it to another company.",
          },
        ],
      },
      {
        title: { zh: '印后用手机测试', en: 'Test a print with a phone' },
        items: [
          {
            zh: '每次换新印版、新材料或新印刷厂，都先按实际尺寸打样。',
            en: 'For every new plate, material or printer, first print a proof at the final size.',
          },
          {
            zh: '分别用手机相机和微信“扫一扫”，在 15 至 30 厘米距离、正常和偏暗光线下各扫一次。',
            en: 'Scan it with the phone camera and with WeChat Scan, from 15 to 30 cm, in normal and in dim light.',
          },
          {
            zh: `打开的网页地址必须是 ${domain}，并显示“${authorized.zh}”、贵单位名称和许可编号。`,
            en: `The page that opens must be at ${domainEn} and show "${authorized.en}", your company's name and the licence number.`,
          },
          {
            zh: '扫不出或显示其他内容时，请停止印刷并联系工程办公室。',
            en: 'If it does not scan, or shows anything else, stop the run and contact the programme office.',
          },
        ],
      },
    ],
  };
}
