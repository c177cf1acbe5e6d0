namespace TrainInsight.Torch;

/// <summary>One NVML reading of a GPU.</summary>
/// <param name="DeviceIndex">The NVML device index read.</param>
/// <param name="MemoryUsedBytes">Device memory in use, in bytes (all processes, driver reservations included).</param>
/// <param name="MemoryTotalBytes">Device memory installed, in bytes.</param>
/// <param name="Utilization">
/// The fraction (0..1) of the last sample period in which a kernel ran, or <see langword="null"/> when the device does not
/// report it (for example a MIG instance).
/// </param>
public readonly record struct GpuReading(int DeviceIndex, ulong MemoryUsedBytes, ulong MemoryTotalBytes, double? Utilization)
{
    private const double BytesPerGiB = 1024d * 1024 * 1024;

    /// <summary>Gets the memory in use, in GiB.</summary>
    public double MemoryUsedGiB => MemoryUsedBytes / BytesPerGiB;

    /// <summary>Gets the memory installed, in GiB.</summary>
    public double MemoryTotalGiB => MemoryTotalBytes / BytesPerGiB;
}
