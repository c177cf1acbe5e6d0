using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Xml.Linq;

namespace TrainInsight.Packaging.Tests;

/// <summary>
/// What a user gets from <c>dotnet add package</c>: every library packs (with README, licence, repository information and
/// symbols), and a fresh application outside the repository that references only the packed packages builds, serves
/// and streams, set up exactly as README.md shows.
/// </summary>
public sealed class PackageConsumptionTests : IDisposable
{
    private static readonly string[] s_libraries =
    [
        "TrainInsight.Core", "TrainInsight.Sqlite", "TrainInsight.Streaming", "TrainInsight.Torch", "TrainInsight.Torch.Vision",
        "TrainInsight.TensorBoard", "TrainInsight.HttpIngest", "TrainInsight.Diagnostics", "TrainInsight.Llm", "TrainInsight.Cli",
        "TrainInsight.Proposals", "TrainInsight.Mcp",
    ];

    private static readonly TimeSpan s_dotnetTimeout = TimeSpan.FromMinutes(10);

    private readonly string _root = Path.Combine(Path.GetTempPath(), "traininsight-consumer-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task Pack_ThenAFreshAppReferencingOnlyThePackages_BuildsServesAndStreamsATrainingRun()
    {
        var repository = FindRepository();
        var feed = Directory.CreateDirectory(Path.Combine(_root, "feed")).FullName;

        // Packs what this test run's build produced (the project references above built it), under a version no other
        // source can have, so the consumer can only get these packages.
        var unique = "0.0.0-consumption." + Guid.NewGuid().ToString("N")[..12];
        await ProcessRunner.DotnetAsync(repository, s_dotnetTimeout, "pack", "TrainInsight.sln", "-c", "Release", "--no-build", "-o", feed, "-p:PackageVersion=" + unique);

        CheckPackages(feed, unique);
        var app = WriteConsumer(repository, feed, unique);
        await ProcessRunner.DotnetAsync(app, s_dotnetTimeout, "build", "-c", "Release", "-nologo");
        await RunConsumerAsync(Path.Combine(app, "bin", "Release", "net10.0", "Consumer.dll"), app);
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (DirectoryNotFoundException)
        {
            // Never created: the test failed before.
        }
    }

    /// <summary>Every library has its package and symbols, with metadata; Torch depends on TorchSharp and Core only.</summary>
    private static void CheckPackages(string feed, string version)
    {
        foreach (var library in s_libraries)
        {
            var package = Path.Combine(feed, $"{library}.{version}.nupkg");
            File.Exists(package).Should().BeTrue($"{library} packs");
            File.Exists(Path.ChangeExtension(package, ".snupkg")).Should().BeTrue($"{library} has a symbol package");
            using var zip = ZipFile.OpenRead(package);
            var nuspec = XDocument.Load(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
            var ns = nuspec.Root!.GetDefaultNamespace();
            var metadata = nuspec.Root.Element(ns + "metadata")!;
            metadata.Element(ns + "readme")?.Value.Should().Be("README.md", library);
            zip.GetEntry("README.md").Should().NotBeNull($"{library} carries its README");
            metadata.Element(ns + "license")?.Value.Should().Be("MIT", library);
            metadata.Element(ns + "description")!.Value.Should().NotBeNullOrWhiteSpace();
            metadata.Element(ns + "tags")!.Value.Should().NotBeNullOrWhiteSpace();
            metadata.Element(ns + "repository")!.Attribute("url")!.Value.Should().StartWith("https://");
            if (library == "TrainInsight.Torch")
            {
                metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Should()
                    .BeEquivalentTo(["TorchSharp", "TrainInsight.Core"], "the application picks libtorch (CPU or CUDA) and image codecs");
            }

            if (library == "TrainInsight.Diagnostics")
            {
                metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Should()
                    .Contain("TrainInsight.Core").And.NotContain(id => id.StartsWith("TorchSharp", StringComparison.Ordinal) || id.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal), "diagnosis needs no TorchSharp and no LLM");
            }

            if (library == "TrainInsight.Proposals")
            {
                metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Should()
                    .Contain("TrainInsight.Core").And.NotContain(id => id.StartsWith("TorchSharp", StringComparison.Ordinal) || id.StartsWith("Microsoft.Extensions.AI", StringComparison.Ordinal), "proposals need no TorchSharp and no LLM");
            }

            if (library is "TrainInsight.Streaming" or "TrainInsight.Llm")
            {
                metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Should()
                    .NotContain(id => id.StartsWith("ModelContextProtocol", StringComparison.Ordinal), "only TrainInsight.Mcp depends on MCP");
            }

            if (library == "TrainInsight.Mcp")
            {
                metadata.Descendants(ns + "dependency").Select(d => d.Attribute("id")!.Value).Should()
                    .Contain(["TrainInsight.Llm", "ModelContextProtocol.AspNetCore"]);
            }
        }
    }

    /// <summary>Writes the consumer project outside the repository: its own NuGet.config, no Directory.*.props above it.</summary>
    private string WriteConsumer(string repository, string feed, string version)
    {
        var app = Directory.CreateDirectory(Path.Combine(_root, "app")).FullName;
        File.Copy(Path.Combine(AppContext.BaseDirectory, "Consumer", "Program.cs"), Path.Combine(app, "Program.cs"));

        // TrainInsight's packages come from the folder feed (their version exists nowhere else); everything else from the
        // machine's NuGet cache, which serves them without copying, and sources. A private packages folder keeps the test
        // packages out of the user's cache.
        var cache = Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } custom
            ? custom
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        File.WriteAllText(Path.Combine(app, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <add key="traininsight-test-feed" value="{feed}" />
              </packageSources>
              <fallbackPackageFolders>
                <add key="machine-cache" value="{cache}" />
              </fallbackPackageFolders>
            </configuration>
            """);
        var torchSharp = XDocument.Load(Path.Combine(repository, "Directory.Packages.props")).Descendants("PackageVersion")
            .Single(p => p.Attribute("Include")!.Value == "TorchSharp-cpu").Attribute("Version")!.Value;
        File.WriteAllText(Path.Combine(app, "Consumer.csproj"), $"""
            <Project Sdk="Microsoft.NET.Sdk.Web">
              <PropertyGroup>
                <TargetFramework>net10.0</TargetFramework>
                <Nullable>enable</Nullable>
                <ImplicitUsings>enable</ImplicitUsings>
                <TreatWarningsAsErrors>true</TreatWarningsAsErrors>
                <RestorePackagesPath>{Path.Combine(_root, "packages")}</RestorePackagesPath>
                <!-- TorchSharp 0.107.0 asks for dependency versions the feed serves newer. -->
                <NoWarn>$(NoWarn);NU1603</NoWarn>
              </PropertyGroup>
              <ItemGroup>
                <PackageReference Include="TrainInsight.Core" Version="{version}" />
                <PackageReference Include="TrainInsight.Sqlite" Version="{version}" />
                <PackageReference Include="TrainInsight.Streaming" Version="{version}" />
                <PackageReference Include="TrainInsight.Torch" Version="{version}" />
                <PackageReference Include="TrainInsight.Torch.Vision" Version="{version}" />
                <!-- The application's choice of libtorch. -->
                <PackageReference Include="TorchSharp-cpu" Version="{torchSharp}" />
              </ItemGroup>
            </Project>
            """);
        return app;
    }

    private static async Task RunConsumerAsync(string dll, string workingDirectory)
    {
        var start = new ProcessStartInfo("dotnet", [dll])
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEndAsync();
        try
        {
            var address = await ReadLineStartingAsync(process, "listening ");
            using var http = new HttpClient { BaseAddress = new Uri(address), Timeout = Timeout.InfiniteTimeSpan };
            using var cts = new CancellationTokenSource(Poll.DefaultTimeout * 3);
            using var response = await http.GetAsync("api/stream/metrics", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            response.EnsureSuccessStatusCode();
            await using var stream = await response.Content.ReadAsStreamAsync(cts.Token);
            using var reader = new StreamReader(stream);

            await process.StandardInput.WriteLineAsync("train");
            await process.StandardInput.FlushAsync();
            var runId = await ReadLineStartingAsync(process, "run ");

            var events = await ReadSseUntilAsync(reader, e => e.GetProperty("event_type").GetString() == "training_event" && e.GetProperty("event").GetString() == "run_finished", cts.Token);

            events.Should().OnlyContain(e => e.GetProperty("run_id").GetString() == runId);
            events.Should().Contain(e => e.GetProperty("event_type").GetString() == "metrics_update" && e.GetProperty("data").GetProperty("train_loss").GetDouble() > 0);
            events[^1].GetProperty("data").GetProperty("model_state").GetString().Should().Be("completed");
            var runs = await Poll.UntilAsync(() => http.GetStringAsync("api/runs", cts.Token), r => r.Contains("\"completed\"", StringComparison.Ordinal), "the SQLite store holds the finished run");
            runs.Should().Contain(runId);

            process.StandardInput.Close();
            await process.WaitForExitAsync(cts.Token);
            process.ExitCode.Should().Be(0, await errors);
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }

    private static async Task<string> ReadLineStartingAsync(Process process, string prefix)
    {
        using var cts = new CancellationTokenSource(Poll.DefaultTimeout * 3);
        while (await process.StandardOutput.ReadLineAsync(cts.Token) is { } line)
        {
            if (line.StartsWith(prefix, StringComparison.Ordinal))
            {
                return line[prefix.Length..];
            }
        }

        throw new InvalidOperationException($"The consumer ended without printing \"{prefix}…\" (exit code {process.ExitCode}).");
    }

    private static async Task<List<JsonElement>> ReadSseUntilAsync(StreamReader reader, Func<JsonElement, bool> last, CancellationToken cancellationToken)
    {
        var events = new List<JsonElement>();
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
        {
            if (!line.StartsWith("data: ", StringComparison.Ordinal))
            {
                continue;
            }

            var item = JsonDocument.Parse(line["data: ".Length..]).RootElement.Clone();
            events.Add(item);
            if (last(item))
            {
                return events;
            }
        }

        throw new InvalidOperationException("The stream ended before the run finished.");
    }

    private static string FindRepository()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TrainInsight.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"TrainInsight.sln was not found above {AppContext.BaseDirectory}.");
    }
}
