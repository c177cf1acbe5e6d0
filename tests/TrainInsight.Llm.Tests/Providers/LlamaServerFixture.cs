using System.ClientModel;
using System.ClientModel.Primitives;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Extensions.AI;
using OpenAI;

namespace TrainInsight.Llm.Tests.Providers;

/// <summary>
/// The provider tests run one class at a time and after the parallel tests, so a real model's timing is not squeezed by
/// other test classes on a small machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ProvidersCollection
{
    public const string Name = "Providers";
}

/// <summary>Where the llama.cpp server script, the sid root and the tiny model are; missing pieces fail the test, never skip it.</summary>
internal static class ProviderPaths
{
    public const string SetupHint = "Run eng/setup-llama.sh (CI runs eng/test.sh, which creates it).";

    private static readonly Lazy<string> s_repoRoot = new(FindRepoRoot);

    public static string RepoRoot => s_repoRoot.Value;

    /// <summary>$TRAININSIGHT_LLAMA_SERVER, or eng/llama-server.sh.</summary>
    public static string ServerScript =>
        Environment.GetEnvironmentVariable("TRAININSIGHT_LLAMA_SERVER") is { Length: > 0 } script ? script : Path.Combine(RepoRoot, "eng", "llama-server.sh");

    /// <summary>$TRAININSIGHT_LLAMA_MODEL, or tests/Shared/Models/stories260K.gguf.</summary>
    public static string Model =>
        Environment.GetEnvironmentVariable("TRAININSIGHT_LLAMA_MODEL") is { Length: > 0 } model ? model : Path.Combine(RepoRoot, "tests", "Shared", "Models", "stories260K.gguf");

    /// <summary>$TRAININSIGHT_LLAMA_ROOT, or /var/tmp/traininsight/sid (eng/setup-llama.sh's default).</summary>
    public static string SidRoot =>
        Environment.GetEnvironmentVariable("TRAININSIGHT_LLAMA_ROOT") is { Length: > 0 } root ? root : "/var/tmp/traininsight/sid";

    /// <summary>Fails (with what to do) when the model file is missing.</summary>
    public static string RequireModel()
    {
        var model = Path.GetFullPath(Model);
        if (!File.Exists(model))
        {
            throw new InvalidOperationException($"The test model {model} is missing (TRAININSIGHT_LLAMA_MODEL); it is committed under tests/Shared/Models.");
        }

        return model;
    }

    /// <summary>Fails (with what to do) when the server script or the sid root with llama-server is missing.</summary>
    public static string RequireServerScript()
    {
        var script = Path.GetFullPath(ServerScript);
        if (!File.Exists(script))
        {
            throw new InvalidOperationException($"The llama-server script {script} is missing (TRAININSIGHT_LLAMA_SERVER). {SetupHint}");
        }

        var server = Path.Combine(SidRoot, "usr", "bin", "llama-server");
        if (!File.Exists(server))
        {
            throw new InvalidOperationException($"The Debian sid root with llama-server is missing ({server} not found; TRAININSIGHT_LLAMA_ROOT). {SetupHint}");
        }

        return script;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TrainInsight.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"TrainInsight.sln not found above {AppContext.BaseDirectory}.");
    }
}

/// <summary>
/// A real llama.cpp <c>llama-server</c> serving stories260K.gguf on a free loopback port, started through
/// eng/llama-server.sh as a child process (whose PID is llama-server itself) and killed on dispose.
/// </summary>
internal sealed class LlamaServer : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(30);

    private const int MaxStderrChars = 16_000;
    private const int SigCont = 18;
    private const int SigStop = 19;

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();
    private readonly Lock _gate = new();
    private bool _disposed;

    private LlamaServer(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    public int Pid => _process.Id;

    public bool HasExited => _process.HasExited;

    public Uri Endpoint => new($"http://127.0.0.1:{Port}/v1");

    /// <summary>What the server wrote to stderr so far (its last <see cref="MaxStderrChars"/> characters).</summary>
    public string Stderr
    {
        get
        {
            lock (_gate)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>
    /// Starts a server (<c>-c 2048 -t 2</c> unless <paramref name="extraArgs"/> say otherwise; later arguments win in
    /// llama-server) and waits until GET /health answers 200, failing after <see cref="StartTimeout"/> with its stderr.
    /// </summary>
    public static async Task<LlamaServer> StartAsync(params string[] extraArgs)
    {
        var script = ProviderPaths.RequireServerScript();
        var model = ProviderPaths.RequireModel();
        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            // The port is free now; another process could take it before the server binds, so a bind failure tries another one.
            var port = FreePort();
            var server = Launch(script, model, port, extraArgs);
            try
            {
                await server.WaitHealthyAsync().ConfigureAwait(false);
                return server;
            }
            catch (InvalidOperationException ex) when (server.HasExited && server.Stderr.Contains("bind", StringComparison.OrdinalIgnoreCase))
            {
                last = ex;
                server.Dispose();
            }
            catch
            {
                server.Dispose();
                throw;
            }
        }

        throw last!;
    }

    /// <summary>A port on 127.0.0.1 with nothing listening (it was free a moment ago).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    /// <summary>The OpenAI .NET client against <paramref name="endpoint"/>, as M.E.AI's IChatClient; no retries, so failures show at once.</summary>
    public static IChatClient ChatClient(Uri endpoint, RequestRecorder? recorder = null)
    {
        var options = new OpenAIClientOptions { Endpoint = endpoint, RetryPolicy = new ClientRetryPolicy(maxRetries: 0) };
        if (recorder is not null)
        {
            options.AddPolicy(recorder, PipelinePosition.PerCall);
        }

        return new OpenAI.Chat.ChatClient(model: "stories260K", credential: new ApiKeyCredential("none"), options: options).AsIChatClient();
    }

    public IChatClient ChatClient(RequestRecorder? recorder = null) => ChatClient(Endpoint, recorder);

    /// <summary>SIGSTOP: the server stops (its sockets stay open, so the client just waits).</summary>
    public void Suspend() => Signal(SigStop);

    /// <summary>SIGCONT.</summary>
    public void Resume() => Signal(SigCont);

    /// <summary>SIGKILL to the server, and waits until it is gone.</summary>
    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        if (!_process.WaitForExit(TimeSpan.FromSeconds(10)))
        {
            throw new InvalidOperationException($"llama-server (pid {Pid}) did not exit after SIGKILL.");
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            if (!_process.HasExited)
            {
                // SIGKILL ends a stopped process too; SIGCONT after it is harmless.
                _process.Kill(entireProcessTree: true);
                _ = SendSignal(Pid, SigCont);
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
        finally
        {
            _process.Dispose();
        }
    }

    private static LlamaServer Launch(string script, string model, int port, string[] extraArgs)
    {
        var start = new ProcessStartInfo(script)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = ProviderPaths.RepoRoot,
        };
        foreach (var arg in (string[])["-m", model, "--host", "127.0.0.1", "--port", port.ToString(), "-c", "2048", "-t", "2", "--no-webui", "--jinja", .. extraArgs])
        {
            start.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = start };
        var server = new LlamaServer(process, port);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        if (!process.Start())
        {
            throw new InvalidOperationException($"{script} did not start.");
        }

        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        return server;
    }

    private async Task WaitHealthyAsync()
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var health = new Uri($"http://127.0.0.1:{Port}/health");
        var watch = Stopwatch.StartNew();
        string last = "no answer yet";
        while (watch.Elapsed < StartTimeout)
        {
            if (_process.HasExited)
            {
                // Let the stderr reader drain.
                _process.WaitForExit();
                var hint = _process.ExitCode == 125 ? " " + ProviderPaths.SetupHint : "";
                throw new InvalidOperationException(
                    $"llama-server (eng/llama-server.sh, port {Port}) exited with status {_process.ExitCode} before it was healthy.{hint}\nstderr:\n{Stderr}");
            }

            try
            {
                using var response = await http.GetAsync(health).ConfigureAwait(false);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                last = $"HTTP {(int)response.StatusCode}";
            }
            catch (HttpRequestException ex)
            {
                last = ex.Message;
            }
            catch (TaskCanceledException)
            {
                last = "a health check timed out";
            }

            await Task.Delay(25).ConfigureAwait(false);
        }

        throw new InvalidOperationException(
            $"llama-server (pid {Pid}, port {Port}) was not healthy within {StartTimeout.TotalSeconds:0} s (last: {last}). {ProviderPaths.SetupHint}\nstderr:\n{Stderr}");
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_gate)
        {
            _stderr.AppendLine(line);
            if (_stderr.Length > MaxStderrChars)
            {
                _stderr.Remove(0, _stderr.Length - MaxStderrChars);
            }
        }
    }

    private void Signal(int signal)
    {
        if (_process.HasExited || SendSignal(Pid, signal) != 0)
        {
            throw new InvalidOperationException($"Signal {signal} to llama-server (pid {Pid}) failed (errno {Marshal.GetLastPInvokeError()}).");
        }
    }

    // libc's kill(2): no kill binary is needed (the chroot of eng/torch-env.sh has none).
    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    [DefaultDllImportSearchPaths(DllImportSearchPath.SafeDirectories)]
    private static extern int SendSignal(int pid, int signal);
}

/// <summary>
/// Records the JSON body of every request the OpenAI client sends, and of every buffered (non-streamed) response it gets:
/// a pipeline policy inside the client, not a proxy.
/// </summary>
internal sealed class RequestRecorder : PipelinePolicy
{
    public ConcurrentQueue<string> Bodies { get; } = new();

    public ConcurrentQueue<string> Responses { get; } = new();

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Record(message);
        ProcessNext(message, pipeline, currentIndex);
        RecordResponse(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        Record(message);
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        RecordResponse(message);
    }

    private void RecordResponse(PipelineMessage message)
    {
        if (message.BufferResponse && message.Response is { } response)
        {
            Responses.Enqueue(response.Content.ToString());
        }
    }

    private void Record(PipelineMessage message)
    {
        if (message.Request.Content is { } content)
        {
            using var buffer = new MemoryStream();
            content.WriteTo(buffer);
            Bodies.Enqueue(Encoding.UTF8.GetString(buffer.ToArray()));
        }
    }
}

/// <summary>One llama-server shared by the tests of a class (they run one after another).</summary>
public sealed class LlamaServerFixture : IAsyncLifetime
{
    private LlamaServer? _server;

    internal LlamaServer Server => _server ?? throw new InvalidOperationException("The llama-server fixture did not start.");

    public async Task InitializeAsync() => _server = await LlamaServer.StartAsync();

    public Task DisposeAsync()
    {
        _server?.Dispose();
        return Task.CompletedTask;
    }
}
