using TrainInsight.Torch.Gpu;

namespace TrainInsight.Torch.Tests.Gpu;

public sealed class GpuMonitorTests
{
    [Fact]
    public void TryRead_LibraryMissing_ReturnsFalseWithoutThrowing()
    {
        var monitor = new GpuMonitor(["libtraininsight-no-such-nvml.so.1", "/nonexistent/nvml.dll"]);

        monitor.TryRead(0, out var reading).Should().BeFalse();
        reading.Should().Be(default(GpuReading));
        monitor.IsAvailable.Should().BeFalse();
        monitor.DeviceCount.Should().Be(0);
        monitor.TryGetName(0, out var name).Should().BeFalse();
        name.Should().BeNull();
    }

    [Fact]
    public void TryRead_NoLibraryNames_ReturnsFalse()
    {
        var monitor = new GpuMonitor([]);

        monitor.TryRead(0, out _).Should().BeFalse();
        monitor.IsAvailable.Should().BeFalse();
    }

    [Fact]
    public void TryLoad_LibraryWithoutNvmlExports_ReturnsNull()
    {
        // A library that exists and loads but exports none of NVML's functions.
        string[] names = OperatingSystem.IsWindows() ? ["kernel32.dll"] : OperatingSystem.IsMacOS() ? ["libSystem.dylib"] : ["libc.so.6"];

        Nvml.TryLoad(names).Should().BeNull();
        new GpuMonitor(names).TryRead(0, out _).Should().BeFalse();
    }

    [Fact]
    public void TryLoad_FileThatIsNotALibrary_ReturnsNull()
    {
        using var directory = new TempDirectory();
        var path = Path.Combine(directory.Path, "libnvidia-ml.so.1");
        File.WriteAllText(path, "not a shared library");

        Nvml.TryLoad([path]).Should().BeNull();
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(int.MinValue)]
    [InlineData(int.MaxValue)]
    public void TryRead_AnyIndexWithoutNvml_ReturnsFalse(int index)
    {
        var monitor = new GpuMonitor(["libtraininsight-no-such-nvml.so.1"]);

        monitor.TryRead(index, out _).Should().BeFalse();
    }

    [Fact]
    public void TryRead_NegativeIndexOnDefault_ReturnsFalse()
    {
        GpuMonitor.Default.TryRead(-1, out _).Should().BeFalse();
        GpuMonitor.Default.TryRead(GpuMonitor.Default.DeviceCount, out _).Should().BeFalse();
    }

    [Fact]
    public void TryRead_Default_ReadsConsistentValuesOrNothing()
    {
        var monitor = GpuMonitor.Default;

        if (!monitor.TryRead(0, out var reading))
        {
            // No NVIDIA driver here (the usual CI case): the absent path.
            reading.Should().Be(default(GpuReading));
            return;
        }

        monitor.IsAvailable.Should().BeTrue();
        reading.DeviceIndex.Should().Be(0);
        reading.MemoryTotalBytes.Should().BePositive();
        reading.MemoryUsedBytes.Should().BeLessThanOrEqualTo(reading.MemoryTotalBytes);
        reading.MemoryTotalGiB.Should().BeApproximately(reading.MemoryTotalBytes / (1024d * 1024 * 1024), 1e-12);
        reading.Utilization?.Should().BeInRange(0, 1);
        monitor.TryGetName(0, out var name).Should().BeTrue();
        name.Should().NotBeNullOrWhiteSpace();
    }

    [Fact]
    public async Task TryRead_ManyThreadsWithoutNvml_AllReturnFalse()
    {
        var monitor = new GpuMonitor(["libtraininsight-no-such-nvml.so.1"]);

        var results = await Task.WhenAll(Enumerable.Range(0, 16).Select(_ => Task.Run(() => monitor.TryRead(0, out GpuReading _))));

        results.Should().AllBeEquivalentTo(false);
    }

    [Fact]
    public void GpuReading_GiB_ConvertsFromBytes()
    {
        var reading = new GpuReading(1, 3UL << 30, 80UL << 30, 0.5);

        reading.MemoryUsedGiB.Should().Be(3);
        reading.MemoryTotalGiB.Should().Be(80);
    }
}
