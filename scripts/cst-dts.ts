/**
 * The CST type declarations of a Chevrotain parser, as the grammar's generated
 * `cst.generated.d.ts` files hold them (scripts/gen-cst-types.ts,
 * scripts/gen-ragsh-cst-types.ts): Chevrotain's `generateCstDts` without the visitor
 * interface (the builders walk the CST by hand), each rule's node interface on one line
 * above the type of its children.
 */
import { generateCstDts, type CstParser } from "#chevrotain";

export function cstDts(parser: CstParser, header: string): string {
  const dts = generateCstDts(parser.getGAstProductions(), { includeVisitorInterface: false });
  const compact = dts
    .replace(', ICstVisitor', "")
    .replace(/export interface (\w+) extends CstNode \{\n {2}name: "(\w+)";\n {2}children: (\w+);\n\}\n\n/g, 'export interface $1 extends CstNode { name: "$2"; children: $3 }\n')
    // A rule's children on one line when that line stays short.
    .replace(/export type (\w+) = \{\n((?: {2}[^\n]+;\n)+)\};/g, (block, name: string, members: string) => {
      const line = `export type ${name} = { ${members.trim().replace(/;$/, "").split(/;\n\s*/).join("; ")} };`;
      return line.length <= MAX_LINE ? line : block;
    });
  return `/* ${header} Do not edit. */\n` + compact;
}

/** The longest line a rule's children are joined into. */
const MAX_LINE = 120;
