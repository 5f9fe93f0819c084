/**
 * IRQL values (wdm.h). The model keeps one current IRQL per host kernel (kernel-core.ts).
 */
export type KIRQL = number & { readonly __brand: 'KIRQL' };
export const PASSIVE_LEVEL = 0 as KIRQL;
export const APC_LEVEL = 1 as KIRQL;
export const DISPATCH_LEVEL = 2 as KIRQL;
