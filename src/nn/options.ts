/**
 * Option objects are checked like Python keyword arguments (unknown key → PyTorch's
 * TypeError, with a camelCase hint for snake_case keys); the check is shared with the tensor
 * factories.
 */
export { expectKnownKeys as checkOptions } from "../tensor/argument-kinds.js";
