using BenchmarkDotNet.Running;

namespace TrainInsight.Benchmarks;

/// <summary>Runs the benchmarks chosen on the command line, for example <c>--filter '*Bus*'</c>.</summary>
internal static class Program
{
    private static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
