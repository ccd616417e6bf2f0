import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** A throwaway self-signed certificate and its key, as PEM text (made by openssl in `dir`). */
export function selfSignedPem(dir: string): { cert: string; key: string } {
  const cert = path.join(dir, 'self.crt');
  const key = path.join(dir, 'self.key');
  if (!fs.existsSync(cert)) {
    execFileSync(
      'openssl',
      ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1'].concat([
        '-subj',
        '/CN=walscope unit test',
        '-keyout',
        key,
        '-out',
        cert,
      ]),
      { stdio: 'ignore' },
    );
  }
  return { cert: fs.readFileSync(cert, 'utf8'), key: fs.readFileSync(key, 'utf8') };
}
