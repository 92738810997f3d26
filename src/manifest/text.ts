/**
 * Decoding package files as text.
 */
import type { Finding } from './findings';
import { finding } from './rules';

const decoder = new TextDecoder('utf-8', { fatal: true });

/** The file as UTF-8 text (byte order mark removed), or a CFCT-P007 finding. */
export function decodeText(bytes: Buffer, file: string, resource?: string): { text?: string; findings: Finding[] } {
  try {
    return { text: decoder.decode(bytes).replace(/^\uFEFF/, ''), findings: [] };
  } catch {
    return {
      findings: [
        finding('CFCT-P007', {
          message: `${file} is not valid UTF-8 text`,
          location: { file, line: 1, column: 1 },
          hint: 'save the file as UTF-8',
          resource,
        }),
      ],
    };
  }
}
