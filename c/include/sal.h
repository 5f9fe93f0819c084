/*
 * sal.h: the source-code annotation language, as no-ops. Written from "Using SAL Annotations to
 * Reduce C/C++ Code Defects" (https://learn.microsoft.com/cpp/code-quality/using-sal-annotations-to-reduce-c-cpp-code-defects)
 * and "SAL 2.0 Annotations for Windows Drivers"
 * (https://learn.microsoft.com/windows-hardware/drivers/devtest/sal-2-annotations-for-windows-drivers):
 * wsksim checks what the annotations say at run time (IRQL, NULL) through its verifier, so the
 * compiler needs none of them.
 */
#ifndef WSKSIM_SAL_H
#define WSKSIM_SAL_H

#define _In_
#define _In_opt_
#define _In_z_
#define _In_reads_(n)
#define _In_reads_bytes_(n)
#define _In_reads_opt_(n)
#define _In_reads_bytes_opt_(n)
#define _Out_
#define _Out_opt_
#define _Out_writes_(n)
#define _Out_writes_bytes_(n)
#define _Out_writes_bytes_opt_(n)
#define _Out_writes_bytes_to_(n, m)
#define _Inout_
#define _Inout_opt_
#define _Inout_updates_(n)
#define _Inout_updates_bytes_(n)
#define _Outptr_
#define _Outptr_opt_
#define _Outptr_result_maybenull_
#define _Deref_out_range_(a, b)
#define _Success_(e)
#define _Must_inspect_result_
#define _Check_return_
#define _Ret_maybenull_
#define _Ret_notnull_
#define _Post_invalid_
#define _Post_writable_byte_size_(n)
#define _Pre_notnull_
#define _Null_terminated_
#define _Field_size_(n)
#define _Field_size_bytes_(n)
#define _Field_size_bytes_part_(n, m)
#define _Field_range_(a, b)
#define _Reserved_
#define _Function_class_(name)
#define _Dispatch_type_(t)
#define _Use_decl_annotations_
#define _When_(c, a)
#define _At_(t, a)
#define _Analysis_assume_(e)
#define _IRQL_requires_(irql)
#define _IRQL_requires_max_(irql)
#define _IRQL_requires_min_(irql)
#define _IRQL_requires_same_
#define _IRQL_raises_(irql)
#define _IRQL_saves_
#define _IRQL_restores_
#define _IRQL_saves_global_(kind, param)
#define _IRQL_restores_global_(kind, param)
#define _IRQL_always_function_max_(irql)
#define _IRQL_always_function_min_(irql)
#define _Requires_lock_held_(l)
#define _Requires_lock_not_held_(l)
#define _Acquires_lock_(l)
#define _Releases_lock_(l)
#define _Guarded_by_(l)
#define _Kernel_float_saved_
#define _Kernel_float_restored_
#define _Kernel_requires_resource_held_(r)
#define _Kernel_clear_do_init_(v)
#define _Printf_format_string_
#define _Frees_ptr_
#define _Frees_ptr_opt_
#define __drv_aliasesMem
#define __drv_allocatesMem(kind)
#define __drv_freesMem(kind)
#define __drv_maxIRQL(irql)
#define __drv_when(c, a)
#define __drv_reportError(msg)
#define __drv_strictTypeMatch(mode)
#define __drv_dispatchType(t)

#endif
