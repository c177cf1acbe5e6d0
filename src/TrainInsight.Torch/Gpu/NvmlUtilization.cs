using System.Runtime.InteropServices;

namespace TrainInsight.Torch.Gpu;

/// <summary><c>nvmlUtilization_t</c>: percent of the last sample period the GPU (kernels) and memory were busy.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    /// <summary>Percent of time a kernel was running.</summary>
    public uint Gpu;

    /// <summary>Percent of time device memory was read or written.</summary>
    public uint Memory;
}
