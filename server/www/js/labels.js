// labels.js — the Chinese words for the API's codes (domain.md §1–§4).

export const STATUS = {
  pending_dispatch: '待派单',
  dispatched: '已派单待签收',
  accepted: '办理中',
  return_requested: '退单审核',
  suspended: '挂账',
  replied: '已办结待回访',
  closed: '已结案',
  answered: '直接答复',
  rejected: '不予受理',
  merged: '已合并',
  cancelled: '已撤销',
};

export const OPEN_STATUSES = ['pending_dispatch', 'dispatched', 'accepted', 'return_requested',
  'suspended', 'replied'];

export const NATURE = {
  complaint: '投诉',
  help: '求助',
  consultation: '咨询',
  report: '举报',
  suggestion: '建议',
  praise: '表扬',
  other: '其他',
};

export const URGENCY = {
  normal: '一般',
  timely: '时效',
  emergency: '紧急',
  complex: '疑难',
};

export const CHANNEL = {
  phone: '电话',
  web: '网站',
  app: 'App',
  wechat: '微信',
  sms: '短信',
  email: '邮件',
  open311: 'Open311',
  walk_in: '来访',
  grid_patrol: '网格巡查',
};

export const KIND = {
  center: '热线中心',
  district: '区',
  street: '街道/乡镇',
  community: '社区/村',
  grid: '网格',
  department: '部门',
  enterprise: '公共服务企业',
};

export const CLOCK = {
  dispatch: '派单',
  accept: '签收',
  contact: '先行联系',
  reply: '办结',
  callback: '回访',
  return_window: '退单期',
  assist_accept: '协办报到',
};

export const ASSIST_STATUS = { summoned: '待报到', accepted: '已报到', replied: '已反馈' };

export const EXTENSION_STATE = { requested: '待审核', approved: '已同意', rejected: '已驳回' };

export const ACTION = {
  intake: '受理',
  answer: '直接答复',
  reject: '不予受理',
  dispatch: '派单',
  accept: '签收',
  contact: '先行联系',
  note: '备注',
  whistle: '吹哨报到',
  assist_accept: '协办报到',
  assist_reply: '协办反馈',
  request_return: '申请退单',
  approve_return: '同意退单',
  reject_return: '驳回退单',
  request_extension: '申请延期',
  approve_extension: '同意延期',
  reject_extension: '驳回延期',
  suspend: '挂账',
  resume: '恢复办理',
  reply: '办结反馈',
  callback: '回访',
  reopen: '重办',
  merge: '合并',
  cancel: '撤销',
  flag_unreasonable: '标记不合理诉求',
  sla_warning: '时限预警',
  sla_overdue: '超时',
  sla_report: '超期通报',
};

export const SATISFACTION = { 5: '非常满意', 4: '满意', 3: '基本满意', 2: '不满意', 1: '非常不满意' };

/** Field names of the API, as a person reads them in a refusal. */
export const FIELD = {
  channel: '渠道',
  nature: '性质',
  urgency: '紧急程度',
  category: '分类',
  area: '地点',
  address: '详细地址',
  title: '标题',
  description: '诉求内容',
  caller: '来电人',
  'caller.phone': '来电号码',
  'caller.name': '姓名',
  location: '位置',
  unit: '承办单位',
  units: '协办单位',
  note: '说明',
  reason: '理由',
  result: '办理结果',
  until: '延期至',
  into: '合并到',
  contacted: '是否联系',
  resolved: '是否解决',
  satisfaction: '满意度',
  expected_version: '版本',
};

// Known refusals, in Chinese; the server's own words are shown beside them.
const MESSAGES = [
  [/invalid phone number/, '来电号码格式不正确'],
  [/caller\.phone is required/, '请填写来电号码，或勾选匿名'],
  [/description is (required|empty)/, '请填写诉求内容'],
  [/category is required/, '请选择分类'],
  [/invalid category code/, '分类不存在'],
  [/invalid area code/, '地点不存在'],
  [/an anonymous appeal carries no caller/, '匿名诉求不能填写姓名和电话'],
  [/longer than (\d+) characters/, '内容超过 $1 字'],
  [/must be contacted before the reply/, '办结前须先与来电人联系（先行联系）'],
  [/assist unit .* has not replied/, '仍有协办单位未反馈，暂不能办结'],
  [/the return window closed/, '已超过退单时限，不能退单'],
  [/an extension request is already pending/, '已有待审核的延期申请'],
  [/an extension was already approved/, '已批准过一次延期，不能再次申请'],
  [/the reply deadline has passed/, '已超过办结时限，不能申请延期'],
  [/until must be later than the reply deadline/, '延期时间须晚于当前办结时限'],
  [/no extension request is pending/, '没有待审核的延期申请'],
  [/already reported in/, '本单位已报到'],
  [/already replied/, '本单位已反馈'],
  [/must report in/, '协办单位须先报到再反馈'],
  [/is already an assist/, '该单位已是协办单位'],
  [/cannot assist its own ticket/, '主办单位不能作为协办单位'],
  [/at most \d+ assist units/, '协办单位数量已达上限'],
  [/unknown or inactive unit/, '承办单位不存在或已停用'],
  [/reopened within (\d+) days/, '结案 $1 天内才可重办'],
  [/merged into open tickets only/, '只能合并到未结案的工单'],
  [/cannot be merged into itself/, '不能合并到自身'],
  [/already flagged unreasonable/, '已标记为不合理诉求'],
  [/cannot (\w+) a ticket in status (\w+)/, '当前状态下不能执行此操作'],
  [/needs a (\w+)/, '请填写必填项'],
  [/callback needs/, '请完整填写回访三项'],
  [/satisfaction must be/, '满意度须为 1–5'],
  [/someone else changed it/, '工单已被他人修改，请刷新'],
  [/too many lookups/, '查询过于频繁，请稍后再试'],
  [/no ticket with this number and query code/, '工单号或查询码不正确'],
];

/** The Chinese sense of a server message, or null when none is known. */
export function translate(message) {
  if (!message) return null;
  for (const [re, zh] of MESSAGES) {
    const m = message.match(re);
    if (m) return zh.replace(/\$(\d)/g, (_, i) => m[Number(i)] ?? '');
  }
  return null;
}
