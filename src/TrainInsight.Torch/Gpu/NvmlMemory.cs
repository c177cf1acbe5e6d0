using System.Runtime.InteropServices;

namespace TrainInsight.Torch.Gpu;

/// <summary><c>nvmlMemory_t</c>: device memory in bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemory
{
    /// <summary>Total installed memory.</summary>
    public ulong Total;

    /// <summary>Unallocated memory.</summary>
    public ulong Free;

    /// <summary>Allocated memory (includes the driver's reservations).</summary>
    public ulong Used;
}
