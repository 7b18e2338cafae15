/*
 * bcryptprimitives.dll for Wine 8, which lacks it: Rust's standard library
 * asks its ProcessPrng for every random byte (hash map keys among them), so
 * a Rust program does not start under Wine 8 without it. Built with
 * mingw-w64 by `cargo xtask test-windows` and put beside the test programs;
 * it draws from RtlGenRandom (advapi32's SystemFunction036), which Wine has.
 * Windows itself has the real DLL and never loads this one.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    while (len > 0) {
        ULONG chunk = len > 0x40000000 ? 0x40000000 : (ULONG)len;
        if (!SystemFunction036(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
