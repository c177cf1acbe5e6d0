using System.Runtime.InteropServices;

namespace TrainInsight.DiagnosisBenchmark.Advice;

/// <summary>
/// Makes libgomp (GCC's OpenMP runtime, which every CPU variant of LLamaSharp's libggml-cpu.so links) loadable for
/// <c>--llm gguf</c>: the system's, or else the copy in the Debian sid root of eng/setup-llama.sh, which eng/torch-env.sh
/// mounts in its Debian trixie root (that root has no libgomp1). Loaded once by absolute path, its soname then satisfies
/// the backend. The same approach as the LLamaSharp provider tests.
/// </summary>
internal static class OpenMp
{
    private const string Soname = "libgomp.so.1";

    /// <summary>Loads it; returns which copy, or throws a usage error that says what to install.</summary>
    public static string Load()
    {
        if (!OperatingSystem.IsLinux() || NativeLibrary.TryLoad(Soname, out _))
        {
            return "the system's";
        }

        var root = Environment.GetEnvironmentVariable("TRAININSIGHT_LLAMA_ROOT") is { Length: > 0 } r ? r : "/var/tmp/traininsight/sid";
        var triplet = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? "aarch64-linux-gnu" : "x86_64-linux-gnu";
        var fallback = Path.Combine(root, "usr", "lib", triplet, Soname);
        if (!File.Exists(fallback) || !NativeLibrary.TryLoad(fallback, out _))
        {
            throw new UsageException(
                $"--llm gguf: {Soname} (package libgomp1), which LLamaSharp's CPU backend needs, is not installed here and {fallback} " +
                "was not found or would not load. Install libgomp1, or run eng/setup-llama.sh (its sid root has one).");
        }

        return fallback;
    }
}
