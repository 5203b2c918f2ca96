import type { StatusCause } from '../../errors.ts';
import { fieldErrors } from '../field-errors.ts';
import { QUANTITY_FORMAT_MESSAGE, QuantityError, formatQuantity, isQuantityError, parseQuantity, type Quantity } from '../quantity.ts';

/**
 * Checks a ResourceList (`{cpu: "500m", memory: "1Gi"}`) as Kubernetes' ValidateResourceQuantityValue
 * does: every value a quantity, none negative. Returns the parsed quantities beside the causes.
 */
const hasOwn = Object.prototype.hasOwnProperty;

export function validateResourceList(list: unknown, path: string): { causes: StatusCause[]; quantities: Record<string, Quantity> } {
  const causes: StatusCause[] = [];
  const quantities: Record<string, Quantity> = {};
  if (list === undefined || list === null) return { causes, quantities };
  if (typeof list !== 'object' || Array.isArray(list)) return { causes: [fieldErrors.invalid(path, list, 'must be a map of resource names to quantities')], quantities };
  // for-in over own keys: what Object.entries lists, in its order, without the arrays; a value's path built only for a cause.
  for (const name in list) {
    if (!hasOwn.call(list, name)) continue;
    const value = (list as Record<string, unknown>)[name];
    let quantity: Quantity;
    try {
      if (typeof value !== 'string' && typeof value !== 'number') throw new QuantityError(QUANTITY_FORMAT_MESSAGE);
      quantity = parseQuantity(value);
    } catch (error) {
      if (!isQuantityError(error)) throw error;
      causes.push(fieldErrors.invalid(`${path}[${name}]`, value, error.message));
      continue;
    }
    if (quantity.nanos < 0n) causes.push(fieldErrors.invalid(`${path}[${name}]`, formatQuantity(quantity), 'must be greater than or equal to 0'));
    quantities[name] = quantity;
  }
  return { causes, quantities };
}
