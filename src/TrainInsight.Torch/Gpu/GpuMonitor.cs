using TrainInsight.Torch.Gpu;

namespace TrainInsight.Torch;

/// <summary>
/// Reads GPU memory and utilisation through NVML (<c>libnvidia-ml.so.1</c> on Linux, <c>nvml.dll</c> on Windows), which
/// the NVIDIA driver installs. Where the library is missing, lacks an entry point or fails to initialise, every read
/// returns <see langword="false"/>: nothing here throws.
/// </summary>
/// <remarks>
/// NVML is loaded and initialised once, lazily, on the first use from any thread, and stays initialised for the life of
/// the process. NVML numbers devices in PCI bus order, which is not always CUDA's order: set
/// <c>CUDA_DEVICE_ORDER=PCI_BUS_ID</c> to make them agree. <c>CUDA_VISIBLE_DEVICES</c> does not renumber NVML devices.
/// </remarks>
public sealed class GpuMonitor
{
    private readonly Lazy<Nvml?> _nvml;
    private uint _deviceCount;

    internal GpuMonitor(IReadOnlyList<string> libraryNames)
    {
        _nvml = new Lazy<Nvml?>(() => Initialize(libraryNames), LazyThreadSafetyMode.ExecutionAndPublication);
    }

    /// <summary>Gets the process-wide monitor, which loads the platform's NVML library.</summary>
    public static GpuMonitor Default { get; } = new(Nvml.PlatformLibraryNames);

    /// <summary>Gets whether NVML loaded and initialised; the first call does the loading.</summary>
    public bool IsAvailable => _nvml.Value is not null;

    /// <summary>Gets how many GPUs NVML sees, or 0 when NVML is not available.</summary>
    public int DeviceCount => IsAvailable ? (int)Math.Min(_deviceCount, int.MaxValue) : 0;

    /// <summary>Reads one GPU's memory and utilisation. Cheap (no device synchronisation); never throws.</summary>
    /// <param name="deviceIndex">The NVML device index.</param>
    /// <param name="reading">The reading, or <see langword="default"/> when the method returns <see langword="false"/>.</param>
    /// <returns>
    /// <see langword="true"/> when the memory was read; <see langword="false"/> when NVML is not available, the index is out
    /// of range or NVML failed.
    /// </returns>
    public bool TryRead(int deviceIndex, out GpuReading reading)
    {
        reading = default;
        try
        {
            if (deviceIndex < 0 || _nvml.Value is not { } nvml || (uint)deviceIndex >= _deviceCount)
            {
                return false;
            }

            if (nvml.GetHandleByIndex((uint)deviceIndex, out var device) != Nvml.Success
                || nvml.GetMemoryInfo(device, out var memory) != Nvml.Success)
            {
                return false;
            }

            double? utilization = nvml.GetUtilizationRates(device, out var rates) == Nvml.Success
                ? Math.Clamp(rates.Gpu / 100d, 0, 1)
                : null;
            reading = new GpuReading(deviceIndex, memory.Used, memory.Total, utilization);
            return true;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return false;
        }
    }

    /// <summary>Reads one GPU's product name (for example "NVIDIA H100 80GB HBM3"). Never throws.</summary>
    /// <param name="deviceIndex">The NVML device index.</param>
    /// <param name="name">The name, or <see langword="null"/> when the method returns <see langword="false"/>.</param>
    /// <returns><see langword="true"/> when the name was read.</returns>
    public bool TryGetName(int deviceIndex, out string? name)
    {
        name = null;
        try
        {
            return deviceIndex >= 0
                && _nvml.Value is { } nvml
                && (uint)deviceIndex < _deviceCount
                && nvml.GetHandleByIndex((uint)deviceIndex, out var device) == Nvml.Success
                && nvml.GetName(device, out name) == Nvml.Success;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            name = null;
            return false;
        }
    }

    private Nvml? Initialize(IReadOnlyList<string> libraryNames)
    {
        try
        {
            var nvml = Nvml.TryLoad(libraryNames);
            if (nvml is null)
            {
                return null;
            }

            if (nvml.Init() != Nvml.Success)
            {
                nvml.Free();
                return null;
            }

            if (nvml.GetDeviceCount(out var count) != Nvml.Success)
            {
                nvml.ShutdownAndFree();
                return null;
            }

            _deviceCount = count;
            return nvml;
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
