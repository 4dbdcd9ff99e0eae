/**
 * The part of htl (Hypertext Literal, no type declarations of its own) that src/components use. A template with one
 * root element gives that element, which is how every template there is written; a template with several roots
 * gives a DocumentFragment, and htl's `html.fragment`/`svg.fragment` say so explicitly.
 */
declare module "htl" {
  type Template = (strings: TemplateStringsArray, ...values: unknown[]) => HTMLElement;
  export const html: Template & { fragment(strings: TemplateStringsArray, ...values: unknown[]): DocumentFragment };
  export const svg: ((strings: TemplateStringsArray, ...values: unknown[]) => SVGElement) & {
    fragment(strings: TemplateStringsArray, ...values: unknown[]): DocumentFragment;
  };
}
