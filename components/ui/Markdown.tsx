// Markdown for span values and chat messages (LLM answers usually are Markdown), on react-markdown with
// GitHub's extensions. Model output is untrusted: raw HTML in it shows as text (react-markdown would drop
// it, losing what the model wrote; it never parses it), rehype-sanitize keeps only GitHub's safe element and attribute set, and links leave the
// page without handing it a window.opener. Single newlines stay line breaks, as chat text means them.
import ReactMarkdown, { type Components } from "react-markdown";
import remarkBreaks from "remark-breaks";
import remarkGfm from "remark-gfm";
import rehypeSanitize from "rehype-sanitize";
import { cn } from "./cn";

interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}
// a block of HTML (its own lines) becomes a paragraph of text, inline HTML stays inline text
const BLOCK_PARENTS = new Set(["root", "blockquote", "listItem", "footnoteDefinition"]);
function htmlAsText(node: MdNode) {
  node.children = node.children?.map((child) => {
    if (child.type !== "html") {
      htmlAsText(child);
      return child;
    }
    const text = { type: "text", value: child.value };
    return BLOCK_PARENTS.has(node.type) ? { type: "paragraph", children: [text] } : text;
  });
}
const remarkHtmlAsText = () => htmlAsText;

const remarkPlugins = [remarkGfm, remarkBreaks, remarkHtmlAsText];
const rehypePlugins = [rehypeSanitize];

// the panels are small: h5/h6 look like h4, images stay links (no requests to hosts the model names)
const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noreferrer noopener">
      {children}
    </a>
  ),
  h5: ({ children }) => <h4>{children}</h4>,
  h6: ({ children }) => <h4>{children}</h4>,
  img: ({ src, alt }) =>
    typeof src === "string" && src ? (
      <a href={src} target="_blank" rel="noreferrer noopener">
        {alt || src}
      </a>
    ) : (
      <>{alt}</>
    ),
};

export function Markdown({ text, className }: { text: string; className?: string }) {
  return (
    <div className={cn("md-body", className)}>
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
}
