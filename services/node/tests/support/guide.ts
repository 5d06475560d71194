/**
 * The integrator guide as a script: its `sh` blocks in order, as a reader pastes them into one shell.
 *
 * Conventions in the markdown (an HTML comment on the line right before a fence, invisible to readers):
 * - `<!-- guide-test: skip … -->` before an `sh` block: the test does not run it (e.g. stopping the
 *   nodes, which the test does itself);
 * - `<!-- guide-test: file <name> -->` before any block: the reader saves it as <name> in the current
 *   directory, so the script writes it there at that point.
 * Every other fenced block (json, js, output) is prose for the reader.
 */
export interface GuideBlock {
  /** 1-based line of the opening fence, for failure messages. */
  line: number;
  kind: 'sh' | 'file';
  /** For `file` blocks: the name to save it under. */
  file?: string;
  text: string;
}

const MARKER = /^<!--\s*guide-test:\s*(skip|file\s+(\S+))\b.*-->\s*$/;

export function guideBlocks(markdown: string): GuideBlock[] {
  const lines = markdown.split('\n');
  const blocks: GuideBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^```(\w*)\s*$/.exec(lines[i]!);
    if (!open) continue;
    const end = lines.findIndex((l, j) => j > i && l.startsWith('```'));
    if (end < 0) throw new Error(`unclosed code block at line ${i + 1}`);
    const text = lines.slice(i + 1, end).join('\n');
    const marker = MARKER.exec(lines[i - 1] ?? '');
    if (marker?.[2]) blocks.push({ line: i + 1, kind: 'file', file: marker[2], text });
    else if (open[1] === 'sh' && marker?.[1] !== 'skip') blocks.push({ line: i + 1, kind: 'sh', text });
    i = end;
  }
  return blocks;
}

export interface GuidePorts {
  atina: number;
  atinaPrivate: number;
  pvpt: number;
  pvptPrivate: number;
  receiver: number;
}

/**
 * One bash script of the blocks, each announced on stderr (so a failure names its block), with the
 * guide's ports (Atina's federation and private listeners on 4100 and 4101, PVPT's on 4200 and 4201, the
 * webhook receiver on 4300) replaced by the ones given.
 */
export function guideScript(blocks: GuideBlock[], ports: GuidePorts): string {
  const parts = blocks.map((b) => {
    const announce = `echo "--- guide block at line ${b.line} ($(date +%T))" >&2`;
    if (b.kind === 'sh') return `${announce}\n${b.text}`;
    if (b.text.includes('GUIDE_TEST_EOF')) throw new Error(`the block at line ${b.line} contains the heredoc delimiter`);
    return `${announce}\ncat > '${b.file}' <<'GUIDE_TEST_EOF'\n${b.text}\nGUIDE_TEST_EOF`;
  });
  const byGuidePort: Record<string, number> = { 4100: ports.atina, 4101: ports.atinaPrivate, 4200: ports.pvpt, 4201: ports.pvptPrivate, 4300: ports.receiver };
  return `${parts.join('\n\n')}\n`.replace(/\b(4100|4101|4200|4201|4300)\b/g, (port) => String(byGuidePort[port]));
}
