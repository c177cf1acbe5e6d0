using System.Runtime.InteropServices;
using System.Text;

namespace TrainInsight.Torch.Gpu;

/// <summary>
/// The few NVML (NVIDIA Management Library) entry points TrainInsight reads, bound at run time with
/// <see cref="NativeLibrary.TryLoad(string, out nint)"/> and unmanaged function pointers, so that a machine without the
/// NVIDIA driver never sees a <see cref="DllNotFoundException"/> or <see cref="EntryPointNotFoundException"/>.
/// </summary>
/// <remarks>
/// Signatures follow <c>nvml.h</c>: every function returns <c>nvmlReturn_t</c> (an <c>int</c>, 0 is success);
/// <c>nvmlDevice_t</c> is an opaque pointer; <c>nvmlMemory_t</c> is three <c>unsigned long long</c> (total, free, used,
/// in bytes); <c>nvmlUtilization_t</c> is two <c>unsigned int</c> (gpu, memory, in percent over the last sample period).
/// NVML is thread-safe. All calls use the platform's default C calling convention.
/// </remarks>
internal sealed unsafe class Nvml
{
    /// <summary>NVML's success code.</summary>
    public const int Success = 0;

    /// <summary>NVML_DEVICE_NAME_V2_BUFFER_SIZE.</summary>
    private const int NameBufferSize = 96;

    private readonly nint _library;
    private readonly delegate* unmanaged<int> _init;
    private readonly delegate* unmanaged<int> _shutdown;
    private readonly delegate* unmanaged<uint*, int> _getCount;
    private readonly delegate* unmanaged<uint, nint*, int> _getHandleByIndex;
    private readonly delegate* unmanaged<nint, NvmlMemory*, int> _getMemoryInfo;
    private readonly delegate* unmanaged<nint, NvmlUtilization*, int> _getUtilizationRates;
    private readonly delegate* unmanaged<nint, byte*, uint, int> _getName;

    private Nvml(nint library, nint init, nint shutdown, nint getCount, nint getHandle, nint getMemory, nint getUtilization, nint getName)
    {
        _library = library;
        _init = (delegate* unmanaged<int>)init;
        _shutdown = (delegate* unmanaged<int>)shutdown;
        _getCount = (delegate* unmanaged<uint*, int>)getCount;
        _getHandleByIndex = (delegate* unmanaged<uint, nint*, int>)getHandle;
        _getMemoryInfo = (delegate* unmanaged<nint, NvmlMemory*, int>)getMemory;
        _getUtilizationRates = (delegate* unmanaged<nint, NvmlUtilization*, int>)getUtilization;
        _getName = (delegate* unmanaged<nint, byte*, uint, int>)getName;
    }

    /// <summary>Gets the names the NVML library is loaded by on this platform; empty where NVML does not exist.</summary>
    public static IReadOnlyList<string> PlatformLibraryNames { get; } =
        OperatingSystem.IsWindows() ? ["nvml.dll"]
        : OperatingSystem.IsLinux() ? ["libnvidia-ml.so.1", "libnvidia-ml.so"]
        : [];

    /// <summary>
    /// Loads the first of <paramref name="libraryNames"/> that loads and exports every function used here.
    /// Does not call <c>nvmlInit_v2</c>. Never throws.
    /// </summary>
    /// <param name="libraryNames">Library names or paths, tried in order.</param>
    /// <returns>The bound library, or <see langword="null"/> when none fits.</returns>
    public static Nvml? TryLoad(IEnumerable<string> libraryNames)
    {
        foreach (var name in libraryNames)
        {
            try
            {
                if (!NativeLibrary.TryLoad(name, out var library))
                {
                    continue;
                }

                if (NativeLibrary.TryGetExport(library, "nvmlInit_v2", out var init)
                    && NativeLibrary.TryGetExport(library, "nvmlShutdown", out var shutdown)
                    && NativeLibrary.TryGetExport(library, "nvmlDeviceGetCount_v2", out var getCount)
                    && NativeLibrary.TryGetExport(library, "nvmlDeviceGetHandleByIndex_v2", out var getHandle)
                    && NativeLibrary.TryGetExport(library, "nvmlDeviceGetMemoryInfo", out var getMemory)
                    && NativeLibrary.TryGetExport(library, "nvmlDeviceGetUtilizationRates", out var getUtilization)
                    && NativeLibrary.TryGetExport(library, "nvmlDeviceGetName", out var getName))
                {
                    return new Nvml(library, init, shutdown, getCount, getHandle, getMemory, getUtilization, getName);
                }

                NativeLibrary.Free(library);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                // A bad image or an odd path: try the next name.
            }
        }

        return null;
    }

    /// <summary>Calls <c>nvmlInit_v2()</c>.</summary>
    /// <returns>The NVML return code.</returns>
    public int Init() => _init();

    /// <summary>Unloads the library without shutting NVML down (after a failed <c>nvmlInit_v2</c>).</summary>
    public void Free() => NativeLibrary.Free(_library);

    /// <summary>Calls <c>nvmlShutdown()</c> and unloads the library; the instance must not be used afterwards.</summary>
    public void ShutdownAndFree()
    {
        _ = _shutdown();
        NativeLibrary.Free(_library);
    }

    /// <summary>Calls <c>nvmlDeviceGetCount_v2(unsigned int* deviceCount)</c>.</summary>
    /// <param name="count">The number of devices.</param>
    /// <returns>The NVML return code.</returns>
    public int GetDeviceCount(out uint count)
    {
        uint value = 0;
        var result = _getCount(&value);
        count = value;
        return result;
    }

    /// <summary>Calls <c>nvmlDeviceGetHandleByIndex_v2(unsigned int index, nvmlDevice_t* device)</c>.</summary>
    /// <param name="index">The NVML device index.</param>
    /// <param name="device">The device handle.</param>
    /// <returns>The NVML return code.</returns>
    public int GetHandleByIndex(uint index, out nint device)
    {
        nint value = 0;
        var result = _getHandleByIndex(index, &value);
        device = value;
        return result;
    }

    /// <summary>Calls <c>nvmlDeviceGetMemoryInfo(nvmlDevice_t device, nvmlMemory_t* memory)</c>.</summary>
    /// <param name="device">The device handle.</param>
    /// <param name="memory">The memory counters, in bytes.</param>
    /// <returns>The NVML return code.</returns>
    public int GetMemoryInfo(nint device, out NvmlMemory memory)
    {
        NvmlMemory value = default;
        var result = _getMemoryInfo(device, &value);
        memory = value;
        return result;
    }

    /// <summary>Calls <c>nvmlDeviceGetUtilizationRates(nvmlDevice_t device, nvmlUtilization_t* utilization)</c>.</summary>
    /// <param name="device">The device handle.</param>
    /// <param name="utilization">The utilisation, in percent.</param>
    /// <returns>The NVML return code.</returns>
    public int GetUtilizationRates(nint device, out NvmlUtilization utilization)
    {
        NvmlUtilization value = default;
        var result = _getUtilizationRates(device, &value);
        utilization = value;
        return result;
    }

    /// <summary>Calls <c>nvmlDeviceGetName(nvmlDevice_t device, char* name, unsigned int length)</c>.</summary>
    /// <param name="device">The device handle.</param>
    /// <param name="name">The product name, or <see langword="null"/> on failure.</param>
    /// <returns>The NVML return code.</returns>
    public int GetName(nint device, out string? name)
    {
        var buffer = stackalloc byte[NameBufferSize];
        var result = _getName(device, buffer, NameBufferSize);
        if (result != Success)
        {
            name = null;
            return result;
        }

        var span = new ReadOnlySpan<byte>(buffer, NameBufferSize);
        var end = span.IndexOf((byte)0);
        name = Encoding.UTF8.GetString(end < 0 ? span : span[..end]);
        return result;
    }
}
