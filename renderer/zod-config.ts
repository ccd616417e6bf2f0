// Imported first by main.tsx, before any schema is built: zod's JIT probes for eval with
// `new Function`, which the page's CSP forbids, and each probe is reported as a CSP violation.
import { z } from 'zod';

z.config({ jitless: true });
