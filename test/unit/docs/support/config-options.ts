/**
 * Every option of the module's public config types, read from the types themselves with the
 * TypeScript compiler: what a user can write is what the docs must cover, and an option added to
 * a type shows up here without anyone listing it.
 */
import { join } from 'node:path';
import ts from 'typescript';

export interface ConfigOption {
  /** Dot path from the options root; a tenant's options are under `tenants.*`. */
  readonly path: string;
  /** An object of further options (documented by its own rows), not a value. */
  readonly branch: boolean;
}

const repoRoot = join(import.meta.dirname, '../../../..');
const MODULE_OPTIONS = join(repoRoot, 'src/config/module-options.ts');

/** A block of options: an object type whose members are values, not methods (not a ReplayCache). */
function isOptionsObject(checker: ts.TypeChecker, type: ts.Type): boolean {
  if (type.isUnion() || (type.flags & ts.TypeFlags.Object) === 0) return false;
  if (checker.isArrayType(type) || type.getCallSignatures().length > 0) return false;
  const properties = checker.getPropertiesOfType(type);
  return (
    properties.length > 0 &&
    properties.every((property) => (property.flags & ts.SymbolFlags.Method) === 0)
  );
}

function collect(
  checker: ts.TypeChecker,
  type: ts.Type,
  prefix: string,
  options: ConfigOption[],
): void {
  for (const property of checker.getPropertiesOfType(type)) {
    const path = prefix === '' ? property.name : `${prefix}.${property.name}`;
    const valueType = checker.getNonNullableType(checker.getTypeOfSymbol(property));
    const entries = checker.getIndexTypeOfType(valueType, ts.IndexKind.String);
    if (entries !== undefined && checker.getPropertiesOfType(valueType).length === 0) {
      options.push({ path, branch: true });
      collect(checker, entries, `${path}.*`, options);
    } else if (isOptionsObject(checker, valueType)) {
      options.push({ path, branch: true });
      collect(checker, valueType, path, options);
    } else {
      options.push({ path, branch: false });
    }
  }
}

/** The options of `IamModuleOptions`, depth first, in declaration order. */
export function configOptions(): ConfigOption[] {
  const program = ts.createProgram([MODULE_OPTIONS], {
    strict: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    skipLibCheck: true,
    noEmit: true,
    types: [],
  });
  const checker = program.getTypeChecker();
  const source = program.getSourceFile(MODULE_OPTIONS);
  const declaration = source?.statements.find(
    (statement): statement is ts.InterfaceDeclaration =>
      ts.isInterfaceDeclaration(statement) && statement.name.text === 'IamModuleOptions',
  );
  if (declaration === undefined) throw new Error(`IamModuleOptions not found in ${MODULE_OPTIONS}`);
  const options: ConfigOption[] = [];
  collect(checker, checker.getTypeAtLocation(declaration.name), '', options);
  return options;
}
