namespace TrainInsight.Torch.Internal;

/// <summary>The process's and the GPU's memory (and GPU utilisation) for a sampled step.</summary>
internal static class ProcessMetrics
{
    private const double BytesPerGiB = 1024d * 1024 * 1024;

    public static void Add(Dictionary<string, double> values, GpuMonitor? gpu, int gpuIndex)
    {
        values[MetricNames.ProcessMemory] = Environment.WorkingSet / BytesPerGiB;
        values[MetricNames.ManagedMemory] = GC.GetTotalMemory(forceFullCollection: false) / BytesPerGiB;

        // NVML reads driver counters: no device synchronisation. Without NVML the GPU metrics are left out, not zero.
        if (gpu is not null && gpu.TryRead(gpuIndex, out var reading))
        {
            values[MetricNames.GpuMemoryUsed] = reading.MemoryUsedGiB;
            values[MetricNames.GpuMemoryTotal] = reading.MemoryTotalGiB;
            if (reading.Utilization is { } utilization)
            {
                values[MetricNames.GpuUtilization] = utilization;
            }
        }
    }
}
