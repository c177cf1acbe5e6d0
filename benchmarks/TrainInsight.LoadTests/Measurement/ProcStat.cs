using System.Globalization;

namespace TrainInsight.LoadTests.Measurement;

/// <summary>
/// Reads this process's CPU time, per-thread CPU time and resident memory from /proc (Linux only). Clock ticks are
/// USER_HZ, 100 per second on every Linux this runs on, so CPU figures have a 10 ms resolution.
/// </summary>
internal static class ProcStat
{
    public const double TicksPerSecond = 100;

    /// <summary>utime + stime of the whole process, in clock ticks (fields 14 and 15 of /proc/self/stat).</summary>
    public static long ProcessCpuTicks() => CpuTicksFromStat(File.ReadAllText("/proc/self/stat"));

    /// <summary>stime alone: time in the kernel (syscalls; on loopback, also the TCP receive path of the peer).</summary>
    public static long ProcessSystemTicks() => long.Parse(Fields(File.ReadAllText("/proc/self/stat"))[12], CultureInfo.InvariantCulture);

    /// <summary>
    /// Busy clock ticks of the whole machine, all cores, from the first line of /proc/stat (everything but idle and
    /// iowait). On a shared machine this shows how much CPU other processes took during a measurement.
    /// </summary>
    public static long MachineBusyTicks()
    {
        var fields = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries);
        var total = fields.Skip(1).Take(8).Sum(f => long.Parse(f, CultureInfo.InvariantCulture));
        return total - long.Parse(fields[4], CultureInfo.InvariantCulture) - long.Parse(fields[5], CultureInfo.InvariantCulture);
    }

    /// <summary>Steal ticks of the whole machine (field 8 of /proc/stat's first line): CPU the hypervisor gave to other VMs.</summary>
    public static long MachineStealTicks() =>
        long.Parse(File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries)[8], CultureInfo.InvariantCulture);

    /// <summary>VmRSS from /proc/self/status, in bytes.</summary>
    public static long ResidentBytes()
    {
        foreach (var line in File.ReadLines("/proc/self/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                var kib = line["VmRSS:".Length..].Trim().Split(' ')[0];
                return long.Parse(kib, CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException("VmRSS not found in /proc/self/status.");
    }

    /// <summary>Full blocking GCs until the heap is stable, then VmRSS: what the process keeps, not garbage.</summary>
    public static long ResidentBytesAfterGc()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
        }

        return ResidentBytes();
    }

    /// <summary>CPU ticks per thread, keyed by thread id, with the thread's name (comm), for a coarse profile.</summary>
    public static Dictionary<int, (string Name, long Ticks)> ThreadCpuTicks()
    {
        var result = new Dictionary<int, (string, long)>();
        foreach (var dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                var stat = File.ReadAllText(Path.Combine(dir, "stat"));
                var open = stat.IndexOf('(', StringComparison.Ordinal);
                var close = stat.LastIndexOf(')');
                result[int.Parse(Path.GetFileName(dir), CultureInfo.InvariantCulture)] =
                    (stat[(open + 1)..close], CpuTicksFromStat(stat));
            }
            catch (IOException)
            {
                // The thread exited between listing and reading.
            }
        }

        return result;
    }

    // The command name (field 2) may contain spaces, so count fields from the closing parenthesis: field 3 is the first
    // after it, hence utime (14) and stime (15) are at indices 11 and 12.
    private static string[] Fields(string stat) => stat[(stat.LastIndexOf(')') + 2)..].Split(' ');

    private static long CpuTicksFromStat(string stat)
    {
        var fields = Fields(stat);
        return long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
    }
}
