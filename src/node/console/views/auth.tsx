// The pages shown before sign-in: sign-in, the first set-up with the one-time code, and the
// notices (refused network, not found, errors).

import { Layout, NoticeBox, consoleHref, type Notice } from './layout.tsx';

export function SignInPage({ csrf, name, notice }: { csrf: string; name?: string; notice?: Notice }) {
  return (
    <Layout frame={{ section: '' }} title="官员登录">
      <NoticeBox notice={notice} />
      <form class="card" method="post" action={consoleHref('/sign-in')}>
        <input type="hidden" name="csrf" value={csrf} />
        <label for="name">姓名</label>
        <input id="name" name="name" type="text" autocomplete="username" required value={name ?? ''} />
        <label for="password">密码</label>
        <input id="password" name="password" type="password" autocomplete="current-password" required />
        <div class="actions">
          <button type="submit">登录</button>
        </div>
      </form>
      <p class="card">
        第一次使用？用工程办公室发给你的一次性设置码 <a href={consoleHref('/setup')}>设置密码</a>。
        <span class="hint">设置码由 <code>qdyp officer add 姓名</code> 生成；忘记密码时请管理员运行 <code>qdyp officer reset 姓名</code>。</span>
      </p>
    </Layout>
  );
}

export function SetupPage({ csrf, name, notice }: { csrf: string; name?: string; notice?: Notice }) {
  return (
    <Layout frame={{ section: '' }} title="设置密码">
      <NoticeBox notice={notice} />
      <form class="card" method="post" action={consoleHref('/setup')}>
        <input type="hidden" name="csrf" value={csrf} />
        <label for="name">姓名</label>
        <input id="name" name="name" type="text" autocomplete="username" required value={name ?? ''} />
        <label for="code">一次性设置码</label>
        <span class="hint" id="code-hint">
          20 个字母或数字，可以带空格或连字符。
        </span>
        <input id="code" name="code" type="text" autocomplete="one-time-code" aria-describedby="code-hint" required />
        <label for="password">新密码</label>
        <span class="hint" id="password-hint">
          至少 15 个字符；可以是一句容易记住的话。
        </span>
        <input id="password" name="password" type="password" autocomplete="new-password" aria-describedby="password-hint" required />
        <label for="confirm">再输入一次新密码</label>
        <input id="confirm" name="confirm" type="password" autocomplete="new-password" required />
        <div class="actions">
          <button type="submit">设置密码</button>
        </div>
      </form>
    </Layout>
  );
}

export const NOTICE_TEXT: Record<string, { title: string; text: string }> = {
  badRequest: { title: '请求无法处理', text: '这个请求的格式不对，没有做任何更改。请返回重新操作。' },
  forbidden: { title: '表单已过期', text: '这个表单已过期或不是从控制台打开的，没有做任何更改。请返回，刷新页面后再提交。' },
  notFound: { title: '找不到页面', text: '没有这个页面或记录。' },
  methodNotAllowed: { title: '不支持的操作', text: '这个地址不支持这种请求。' },
  payloadTooLarge: { title: '内容太大', text: '提交的内容超过了上限，没有做任何更改。' },
  unsupportedMediaType: { title: '请求无法处理', text: '这个表单的格式不对，没有做任何更改。' },
  duplicate: { title: '这个表单已经提交过', text: '同一个表单不会执行两次：这次提交没有做任何更改。请打开相关页面查看当前状态。' },
  role: { title: '没有权限', text: '你的角色不能做这项操作。' },
  error: { title: '出错了', text: '控制台出了问题，请稍后再试；已提交的更改要么完整保存，要么没有保存。' },
};

export function NoticePage({ kind, signedIn }: { kind: keyof typeof NOTICE_TEXT; signedIn?: import('./layout.tsx').SignedInView }) {
  const n = NOTICE_TEXT[kind] ?? NOTICE_TEXT.badRequest!;
  return (
    <Layout frame={{ section: '', officer: signedIn }} title={n.title}>
      <p class="card" data-notice={kind}>
        {n.text} <a href={consoleHref('/')}>回到概览</a>
      </p>
    </Layout>
  );
}
