using System.Diagnostics;
using System.Threading.Channels;

namespace TrainInsight.LoadTests.Runner;

/// <summary>
/// This same program started as a child process in another role. Result lines (<c>@key …</c>) are queued for
/// <see cref="ExpectAsync"/>; log lines are passed on to stderr with the child's name.
/// </summary>
internal sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly Channel<string> _results = Channel.CreateUnbounded<string>();
    private readonly string _name;

    private ChildProcess(string name, Process process)
    {
        _name = name;
        _process = process;
        _process.OutputDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                _results.Writer.TryComplete();
            }
            else if (e.Data.StartsWith('@'))
            {
                _results.Writer.TryWrite(e.Data);
            }
            else
            {
                Console.Error.WriteLine($"[{_name}] {e.Data}");
            }
        };
        _process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                Console.Error.WriteLine($"[{_name}] {e.Data}");
            }
        };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
    }

    public int Id => _process.Id;

    public static ChildProcess Start(string name, IEnumerable<string> args, IReadOnlyDictionary<string, string>? environment = null)
    {
        var start = new ProcessStartInfo
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        // Run as this program was run: the apphost directly, or `dotnet TrainInsight.LoadTests.dll`.
        var host = Environment.ProcessPath ?? throw new InvalidOperationException("No process path.");
        start.FileName = host;
        if (Path.GetFileNameWithoutExtension(host) == "dotnet")
        {
            start.ArgumentList.Add(typeof(ChildProcess).Assembly.Location);
        }

        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        return new ChildProcess(name, Process.Start(start) ?? throw new InvalidOperationException($"Could not start {name}."));
    }

    public void Send(string command)
    {
        _process.StandardInput.WriteLine(command);
        _process.StandardInput.Flush();
    }

    /// <summary>Waits for the child's next result line, which must have <paramref name="key"/>.</summary>
    public async Task<Dictionary<string, string>> ExpectAsync(string key, TimeSpan timeout)
    {
        using var cancel = new CancellationTokenSource(timeout);
        string line;
        try
        {
            line = await _results.Reader.ReadAsync(cancel.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
        {
            throw new InvalidOperationException($"{_name}: no '@{key}' within {timeout.TotalSeconds:F0} s (exited: {_process.HasExited}).", ex);
        }

        var parsed = LineProtocol.Parse(line)!.Value;
        return parsed.Key == key ? parsed.Values : throw new InvalidOperationException($"{_name}: expected '@{key}', got '{line}'.");
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            try
            {
                Send("quit");
                _process.StandardInput.Close();
            }
            catch (IOException)
            {
                // It is exiting already.
            }

            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            try
            {
                await _process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                _process.Kill(entireProcessTree: true);
            }
        }

        _process.Dispose();
    }
}
