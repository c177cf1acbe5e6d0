using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace TrainInsight.LoadTests.Measurement;

/// <summary>
/// CPU used by this process between <see cref="Start"/> and <see cref="Stop"/>, as % of one core (the whole machine's
/// busy CPU too, in the same unit: 200 % is both cores of a 2-core machine), plus a coarse
/// profile: CPU per thread name (".NET TP Worker", ".NET SocketEng", …) and GC activity over the same window.
/// </summary>
internal sealed class CpuWindow
{
    private readonly long _startTimestamp;
    private readonly long _startTicks;
    private readonly Dictionary<int, (string Name, long Ticks)> _startThreads;
    private readonly int[] _startCollections;
    private readonly long _startAllocated;
    private readonly long _startMachineBusy;
    private readonly long _startSteal;
    private readonly long _startSystem;

    private CpuWindow()
    {
        _startThreads = ProcStat.ThreadCpuTicks();
        _startCollections = [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];
        _startAllocated = GC.GetTotalAllocatedBytes();
        _startMachineBusy = ProcStat.MachineBusyTicks();
        _startSteal = ProcStat.MachineStealTicks();
        _startSystem = ProcStat.ProcessSystemTicks();
        _startTicks = ProcStat.ProcessCpuTicks();
        _startTimestamp = Stopwatch.GetTimestamp();
    }

    public static CpuWindow Start() => new();

    /// <summary>Ends the window and describes it as key=value pairs for the runner's line protocol.</summary>
    public string Stop()
    {
        var ticks = ProcStat.ProcessCpuTicks() - _startTicks;
        var wall = Stopwatch.GetElapsedTime(_startTimestamp).TotalSeconds;
        var cpuSeconds = ticks / ProcStat.TicksPerSecond;
        var systemSeconds = (ProcStat.ProcessSystemTicks() - _startSystem) / ProcStat.TicksPerSecond;
        var machineSeconds = (ProcStat.MachineBusyTicks() - _startMachineBusy) / ProcStat.TicksPerSecond;
        var stealSeconds = (ProcStat.MachineStealTicks() - _startSteal) / ProcStat.TicksPerSecond;
        var allocated = GC.GetTotalAllocatedBytes() - _startAllocated;
        var collections = $"{GC.CollectionCount(0) - _startCollections[0]}/{GC.CollectionCount(1) - _startCollections[1]}/{GC.CollectionCount(2) - _startCollections[2]}";
        return string.Create(CultureInfo.InvariantCulture,
            $"cpu_percent={100 * cpuSeconds / wall:F1} machine_cpu_percent={100 * machineSeconds / wall:F1} steal_percent={100 * stealSeconds / wall:F1} cpu_seconds={cpuSeconds:F2} system_seconds={systemSeconds:F2} wall_seconds={wall:F2} allocated_bytes={allocated} gc_0_1_2={collections} threads={ThreadProfile()}");
    }

    private string ThreadProfile()
    {
        // Threads are grouped by name; threads that started inside the window count from zero.
        var byName = new Dictionary<string, (long Ticks, int Count)>();
        foreach (var (id, (name, ticks)) in ProcStat.ThreadCpuTicks())
        {
            var before = _startThreads.TryGetValue(id, out var start) ? start.Ticks : 0;
            var key = name.Replace(' ', '_');
            var current = byName.GetValueOrDefault(key);
            byName[key] = (current.Ticks + ticks - before, current.Count + 1);
        }

        var text = new StringBuilder();
        foreach (var (name, (ticks, count)) in byName.Where(p => p.Value.Ticks > 0).OrderByDescending(p => p.Value.Ticks).Take(6))
        {
            text.Append(CultureInfo.InvariantCulture, $"{(text.Length > 0 ? "," : "")}{name}x{count}:{ticks / ProcStat.TicksPerSecond:F2}s");
        }

        return text.Length > 0 ? text.ToString() : "-";
    }
}
