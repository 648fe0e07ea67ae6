// Markdown renders model output: formatting yes, markup and script no.
import assert from "node:assert/strict";
import { test } from "node:test";
import { renderToStaticMarkup } from "react-dom/server";
import { Markdown } from "./Markdown";

const html = (text: string) => renderToStaticMarkup(<Markdown text={text} />);

test("paragraphs, line breaks, headings, lists, code, quotes, emphasis and links", () => {
  const out = html("# Title\n\nline one\nline two\n\n- a\n- **b**\n\n1. first\n\n```py\nprint(1)\n```\n\n> quoted *text*\n\n`x` and [docs](https://example.com/a)");
  assert.match(out, /^<div class="md-body">/);
  assert.match(out, /<h1>Title<\/h1>/);
  assert.match(out, /<p>line one<br\/>\nline two<\/p>/);
  assert.match(out, /<ul>\s*<li>a<\/li>\s*<li><strong>b<\/strong><\/li>\s*<\/ul>/);
  assert.match(out, /<ol>\s*<li>first<\/li>\s*<\/ol>/);
  assert.match(out, /<pre><code[^>]*>print\(1\)\n<\/code><\/pre>/);
  assert.match(out, /<blockquote>\s*<p>quoted <em>text<\/em><\/p>\s*<\/blockquote>/);
  assert.match(out, /<code>x<\/code>/);
  assert.match(out, /<a href="https:\/\/example.com\/a" target="_blank" rel="noreferrer noopener">docs<\/a>/);
  assert.match(html("###### small"), /<h4>small<\/h4>/);
});

test("raw HTML in model output is shown as text, never as elements", () => {
  const out = html('Hi <script>alert(1)</script> <img src=x onerror="alert(2)"> <a href="javascript:alert(3)">x</a> <iframe src="https://evil.example"></iframe>');
  assert.doesNotMatch(out, /<script|<img|<iframe|<a /i);
  assert.doesNotMatch(out, /<[a-z][^>]*\son\w+=/i, "no element carries an event handler");
  assert.match(out, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/);
});

test("javascript:, data: and vbscript: links lose their target; images become links", () => {
  for (const url of ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"]) {
    const out = html(`[click](${url})`);
    assert.doesNotMatch(out, /href="(?:javascript|data|vbscript):/i, url);
    assert.match(out, /click/);
  }
  const img = html('![chart](https://example.com/c.png "t") ![x](javascript:alert(1))');
  assert.doesNotMatch(img, /<img/);
  assert.match(img, /<a href="https:\/\/example.com\/c.png" target="_blank" rel="noreferrer noopener">chart<\/a>/);
  assert.doesNotMatch(img, /javascript:/i);
});

test("a block of raw HTML reads as a paragraph of text, inline HTML as inline text", () => {
  assert.match(html("It shipped.\n\n<script>alert(1)</script>"), /<p>It shipped.<\/p>\s*<p>&lt;script&gt;alert\(1\)&lt;\/script&gt;<\/p>/);
  assert.match(html("a <b>bold</b> claim"), /<p>a &lt;b&gt;bold&lt;\/b&gt; claim<\/p>/);
  assert.match(html("> <div>quoted</div>"), /<blockquote>\s*<p>&lt;div&gt;quoted&lt;\/div&gt;<\/p>\s*<\/blockquote>/);
});
