// Resolves the extensionless and directory imports of dt-sql-parser's ES
// modules, which Node's ESM resolver refuses.
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (e) {
    if (e.code === 'ERR_UNSUPPORTED_DIR_IMPORT') return next(specifier + '/index.js', context);
    if (e.code === 'ERR_MODULE_NOT_FOUND' && specifier.startsWith('.') && !specifier.endsWith('.js')) return next(specifier + '.js', context);
    throw e;
  }
}
