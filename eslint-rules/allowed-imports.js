// An import boundary as an allow-list: a layer names the packages and the top-level folders it
// may import from; everything else is refused. A deny-list leaks (a new package or a subpath
// such as `electron/main` slips through); an allow-list fails closed.
//
// Options: { layer, packages, folders, message }
//   packages: bare specifiers allowed, each exactly or with a subpath ("react" allows "react" and
//             "react/jsx-runtime", not "react-dom"); "node:*" allows every node: builtin.
//   folders:  top-level folders of the repository a relative import may resolve into.
// Checked: import/export … from, import() (which must have a literal specifier), require(),
// `import x = require()` and `typeof import()` types.
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function packageAllowed(spec, packages) {
  return packages.some((p) => {
    if (p.endsWith(':*')) return spec.startsWith(p.slice(0, -1));
    return spec === p || spec.startsWith(`${p}/`);
  });
}

function folderOf(file, spec) {
  const target = path.resolve(path.dirname(file), spec);
  const rel = path.relative(ROOT, target);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  return rel.split(path.sep)[0];
}

/** @type {import('eslint').Rule.RuleModule} */
export const allowedImports = {
  meta: {
    type: 'problem',
    docs: { description: 'Imports outside the layer allow-list are refused.' },
    schema: [
      {
        type: 'object',
        properties: {
          layer: { type: 'string' },
          packages: { type: 'array', items: { type: 'string' } },
          folders: { type: 'array', items: { type: 'string' } },
          message: { type: 'string' },
        },
        required: ['layer', 'packages', 'folders'],
        additionalProperties: false,
      },
    ],
    messages: {
      refused: '{{layer}}/ may not import "{{spec}}": {{why}}',
      dynamic: '{{layer}}/: import() needs a string literal so its boundary can be checked.',
    },
  },
  create(context) {
    const { layer, packages, folders, message = '' } = context.options[0];
    const file = context.filename;
    const check = (node, spec) => {
      let allowed;
      if (spec.startsWith('.') || spec.startsWith('/')) {
        const folder = folderOf(file, spec);
        allowed = folder !== undefined && folders.includes(folder);
      } else {
        allowed = packageAllowed(spec, packages);
      }
      if (!allowed) context.report({ node, messageId: 'refused', data: { layer, spec, why: message } });
    };
    const literal = (node, source) => {
      if (source && source.type === 'Literal' && typeof source.value === 'string') check(node, source.value);
      else if (source && source.type === 'TemplateLiteral' && source.expressions.length === 0)
        check(node, source.quasis[0].value.cooked);
      else context.report({ node, messageId: 'dynamic', data: { layer } });
    };
    return {
      ImportDeclaration: (node) => check(node, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
      ExportAllDeclaration: (node) => check(node, node.source.value),
      ImportExpression: (node) => literal(node, node.source),
      CallExpression: (node) => {
        if (node.callee.type === 'Identifier' && node.callee.name === 'require') literal(node, node.arguments[0]);
      },
      TSExternalModuleReference: (node) => literal(node, node.expression),
      TSImportType: (node) => {
        const arg = node.argument;
        literal(node, arg && arg.type === 'TSLiteralType' ? arg.literal : (node.source ?? arg));
      },
    };
  },
};

export default { rules: { 'allowed-imports': allowedImports } };
