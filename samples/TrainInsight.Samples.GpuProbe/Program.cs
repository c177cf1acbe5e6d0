// Prints what TrainInsight reads through NVML: one line per GPU, or "NVML not available".
// Usage: traininsight-gpuprobe [samples] [interval-ms]   (default: 1 sample)
using System.Globalization;
using TrainInsight.Torch;

var samples = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1;
var intervalMs = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 1000;
var gpu = GpuMonitor.Default;
if (!gpu.IsAvailable)
{
    Console.WriteLine("NVML not available");
    return 1;
}

Console.WriteLine($"NVML devices: {gpu.DeviceCount}");
for (var sample = 0; sample < samples; sample++)
{
    if (sample > 0)
    {
        Thread.Sleep(intervalMs);
    }

    for (var index = 0; index < gpu.DeviceCount; index++)
    {
        var name = gpu.TryGetName(index, out var n) ? n : "?";
        if (gpu.TryRead(index, out var reading))
        {
            var utilization = reading.Utilization is { } u ? u.ToString("P0", CultureInfo.InvariantCulture) : "n/a";
            Console.WriteLine(string.Create(
                CultureInfo.InvariantCulture,
                $"[{index}] {name}: memory {reading.MemoryUsedGiB:F2} / {reading.MemoryTotalGiB:F2} GiB ({reading.MemoryUsedBytes} / {reading.MemoryTotalBytes} bytes), utilization {utilization}"));
        }
        else
        {
            Console.WriteLine($"[{index}] {name}: read failed");
        }
    }
}

return 0;
