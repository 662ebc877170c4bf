import type { Messages } from './types.ts';

export const zhCN: Messages = {
  outcomes: {
    authorized: {
      title: '正品授权',
      summary: '此标识经青岛优品工程办公室授权使用，签名与状态均已核验。',
      advice: '请核对手中商品是否属于下列授权产品和商标。如不一致，可举报或拨打 12315 消费者投诉热线。',
    },
    suspended: {
      title: '已暂停',
      summary: '该许可目前已被暂停，暂停期间不得使用青岛优品标识。',
      advice: '请谨慎购买。如有疑问，请拨打 12315 消费者投诉热线。',
    },
    revoked: {
      title: '已撤销',
      summary: '该许可已被撤销，持有人无权再使用青岛优品标识。',
      advice: '请勿将此标识视为品质保证。可举报或拨打 12315 消费者投诉热线。',
    },
    expired: {
      title: '已过期',
      summary: '该许可已过有效期。',
      advice: '过期前生产的商品可能仍在流通；如有疑问，请拨打 12315 消费者投诉热线。',
    },
    not_yet_valid: {
      title: '尚未生效',
      summary: '该许可尚未到生效日期。',
      advice: '生效前不得使用青岛优品标识。如有疑问，请拨打 12315 消费者投诉热线。',
    },
    unknown_key: {
      title: '无法验证',
      summary: '此二维码的签名密钥不属于青岛优品工程办公室。',
      advice: '此标识可能是伪造的。请勿据此购买，可举报或拨打 12315 消费者投诉热线。',
    },
    key_compromised: {
      title: '无法验证',
      summary: '此二维码使用的签名密钥已停用，该标识不再有效。',
      advice: '此标识可能是伪造的。请勿据此购买，可举报或拨打 12315 消费者投诉热线。',
    },
    bad_signature: {
      title: '无法验证',
      summary: '此二维码的签名无效，并非青岛优品工程办公室签发。',
      advice: '此标识可能是伪造的。请勿据此购买，可举报或拨打 12315 消费者投诉热线。',
    },
    malformed: {
      title: '无法验证',
      summary: '这不是有效的青岛优品二维码。',
      advice: '请确认扫描的是包装上的青岛优品二维码。如怀疑伪造，可拨打 12315 消费者投诉热线。',
    },
    cannot_confirm: {
      title: '无法确认',
      summary: '暂时无法取得最新的许可状态，因此不能确认是否授权。',
      advice: '请稍后再扫一次。如仍无法确认，请拨打 12315 消费者投诉热线。',
    },
  },
  fields: {
    holder: '持有人',
    uscc: '统一社会信用代码',
    address: '地址',
    products: '授权产品',
    trademarks: '商标',
    tier: '品牌类别',
    sector: '行业',
    region: '地区',
    number: '许可编号',
    validity: '有效期',
    status: '许可状态',
    statusReason: '原因',
    statusChangedAt: '变更时间',
  },
  beijingTime: '北京时间',
  tiers: { product: '产品品牌', enterprise: '企业品牌', industry: '产业品牌', region: '区域品牌' },
  sectors: { manufacturing: '工业', agriculture: '农业', services: '服务业', marine: '海洋经济' },
  statuses: { valid: '有效', suspended: '已暂停', revoked: '已撤销' },
};
