using System.ClientModel;
#if TRAININSIGHT_GGUF
using LLama;
using LLama.Abstractions;
using LLama.Common;
#endif
using Microsoft.Extensions.AI;
using OllamaSharp;
using OpenAI;

namespace TrainInsight.Cli.Llm;

/// <summary>
/// The <c>--llm</c> options shared by <c>traininsight tb serve</c> and the console sample: which chat client the host gives
/// the assistant, from the command line or environment variables. The SDK itself never creates a provider; hosts do, as here.
/// </summary>
internal sealed class ChatClientSettings
{
    public const string Usage = """
          --llm PROVIDER        the model behind the assistant (default: $TRAININSIGHT_LLM, else none: rules only):
                                  openai             OpenAI (key: --llm-key or $OPENAI_API_KEY; model default gpt-4o-mini)
                                  azure              Azure OpenAI's v1 endpoint (--llm-endpoint https://<resource>.openai.azure.com,
                                                     key: --llm-key or $AZURE_OPENAI_API_KEY; --llm-model is the deployment)
                                  openai-compatible  any OpenAI-compatible server: llama.cpp's llama-server, vLLM, LM Studio,
                                                     Ollama's /v1 (--llm-endpoint such as http://127.0.0.1:8080/v1)
                                  ollama             Ollama's native API (--llm-endpoint default http://127.0.0.1:11434;
                                                     model default llama3.2)
                                  gguf               a GGUF file run in process with LLamaSharp, no server (--llm-gguf FILE;
                                                     the console sample only: the tool leaves the 150 MB backend out)
                                  none               rules only
          --llm-model NAME      model or deployment name ($TRAININSIGHT_LLM_MODEL)
          --llm-endpoint URL    the provider's base address ($TRAININSIGHT_LLM_ENDPOINT)
          --llm-key KEY         API key ($TRAININSIGHT_LLM_KEY, or the provider's own variable above)
          --llm-gguf FILE       the GGUF model for --llm gguf ($TRAININSIGHT_LLM_GGUF)
        """;

    private static readonly string[] s_providers = ["none", "openai", "azure", "openai-compatible", "ollama", "gguf"];

    public string Provider { get; private set; } = "none";

    public string? Model { get; private set; }

    public Uri? Endpoint { get; private set; }

    public string? Key { get; private set; }

    public string? GgufPath { get; private set; }

    /// <summary>Starts from the environment (<c>TRAININSIGHT_LLM*</c>); <see cref="TryParse"/> then applies the command line.</summary>
    public static ChatClientSettings FromEnvironment(Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        var settings = new ChatClientSettings();
        if (environment("TRAININSIGHT_LLM") is { Length: > 0 } provider)
        {
            settings.Provider = Choice("TRAININSIGHT_LLM", provider);
        }

        settings.Model = environment("TRAININSIGHT_LLM_MODEL") is { Length: > 0 } model ? model : null;
        settings.Endpoint = environment("TRAININSIGHT_LLM_ENDPOINT") is { Length: > 0 } endpoint ? Url("TRAININSIGHT_LLM_ENDPOINT", endpoint) : null;
        settings.GgufPath = environment("TRAININSIGHT_LLM_GGUF") is { Length: > 0 } gguf ? gguf : null;
        settings.Key = environment("TRAININSIGHT_LLM_KEY") is { Length: > 0 } key ? key : null;
        settings._environment = environment;
        return settings;
    }

    private Func<string, string?> _environment = Environment.GetEnvironmentVariable;

    /// <summary>Applies one <c>--llm*</c> option; returns false when <paramref name="name"/> is not one.</summary>
    /// <exception cref="FormatException">The option's value is invalid.</exception>
    public bool TryParse(string name, Func<string> value)
    {
        switch (name)
        {
            case "--llm": Provider = Choice(name, value()); return true;
            case "--llm-model": Model = NotEmpty(name, value()); return true;
            case "--llm-endpoint": Endpoint = Url(name, value()); return true;
            case "--llm-key": Key = NotEmpty(name, value()); return true;
            case "--llm-gguf": GgufPath = NotEmpty(name, value()); return true;
            default: return false;
        }
    }

    /// <summary>Says in one line what the assistant will use, for the startup banner.</summary>
    public string Describe() => Provider switch
    {
        "none" => "rules only (no --llm)",
        "gguf" => $"in-process GGUF {GgufPath} (LLamaSharp)",
        _ => $"{Provider} model {Model ?? DefaultModel()}{(Endpoint is null ? "" : " at " + Endpoint)}",
    };

    /// <summary>Creates the chat client, or returns null for <c>none</c>.</summary>
    /// <exception cref="FormatException">A required setting is missing (a key, an endpoint, the GGUF file).</exception>
    public IChatClient? Create()
    {
        switch (Provider)
        {
            case "none":
                return null;
            case "openai":
                return new OpenAI.Chat.ChatClient(Model ?? DefaultModel(), new ApiKeyCredential(Key ?? Require("OPENAI_API_KEY", "--llm openai needs an API key: --llm-key or $OPENAI_API_KEY.")),
                    ClientOptions(Endpoint)).AsIChatClient();
            case "azure":
                var resource = Endpoint ?? throw new FormatException("--llm azure needs --llm-endpoint https://<resource>.openai.azure.com.");
                var v1 = resource.AbsolutePath.Contains("/openai/v1", StringComparison.Ordinal) ? resource : new Uri(resource, "/openai/v1/");
                return new OpenAI.Chat.ChatClient(Model ?? throw new FormatException("--llm azure needs --llm-model <deployment name>."),
                    new ApiKeyCredential(Key ?? Require("AZURE_OPENAI_API_KEY", "--llm azure needs an API key: --llm-key or $AZURE_OPENAI_API_KEY.")),
                    ClientOptions(v1)).AsIChatClient();
            case "openai-compatible":
                return new OpenAI.Chat.ChatClient(Model ?? DefaultModel(), new ApiKeyCredential(Key ?? "none"),
                    ClientOptions(Endpoint ?? throw new FormatException("--llm openai-compatible needs --llm-endpoint, such as http://127.0.0.1:8080/v1."))).AsIChatClient();
            case "ollama":
                return new OllamaApiClient(Endpoint ?? new Uri("http://127.0.0.1:11434"), Model ?? DefaultModel());
            case "gguf":
#if TRAININSIGHT_GGUF
                var path = GgufPath ?? throw new FormatException("--llm gguf needs --llm-gguf FILE (a .gguf model).");
                if (!File.Exists(path))
                {
                    throw new FormatException($"--llm-gguf: the file '{Path.GetFullPath(path)}' does not exist.");
                }

                var parameters = new ModelParams(path) { ContextSize = 4096, GpuLayerCount = 0 };
                var weights = LLamaWeights.LoadFromFile(parameters);
                ILLamaExecutor executor = new StatelessExecutor(weights, parameters);
                return new OwningChatClient(executor.AsChatClient(), weights);
#else
                throw new FormatException(
                    "--llm gguf is not built into this program: LLamaSharp's native CPU backend is 150 MB, too much for a dotnet tool. " +
                    "Serve the file with llama.cpp's llama-server and use --llm openai-compatible --llm-endpoint http://127.0.0.1:8080/v1, " +
                    "or run it in process from the console sample or your own host (docs/assistant.md).");
#endif
            default:
                throw new FormatException($"Unknown --llm provider '{Provider}'.");
        }
    }

    /// <summary>
    /// The OpenAI client's options: one retry at most (its default is three with back-off), because the assistant's own
    /// timeouts and circuit breaker decide when to give up, and a server that is down should fall back to the rules fast.
    /// </summary>
    private static OpenAIClientOptions ClientOptions(Uri? endpoint)
    {
        var options = new OpenAIClientOptions { RetryPolicy = new System.ClientModel.Primitives.ClientRetryPolicy(maxRetries: 1) };
        if (endpoint is not null)
        {
            options.Endpoint = endpoint;
        }

        return options;
    }

    private string DefaultModel() => Provider switch
    {
        "ollama" => "llama3.2",
        "openai-compatible" => "default",
        _ => "gpt-4o-mini",
    };

    private string Require(string variable, string message) => _environment(variable) is { Length: > 0 } value ? value : throw new FormatException(message);

    private static string Choice(string name, string value) =>
        s_providers.FirstOrDefault(p => string.Equals(p, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException($"{name} must be one of {string.Join(", ", s_providers)}, not '{value}'.");

    private static string NotEmpty(string name, string value) => !string.IsNullOrWhiteSpace(value) ? value : throw new FormatException($"{name} needs a value.");

    private static Uri Url(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"{name} must be an absolute http:// or https:// address, not '{value}'.");

#if TRAININSIGHT_GGUF
    /// <summary>The LLamaSharp chat client with the weights it runs on, freed together.</summary>
    private sealed class OwningChatClient(IChatClient inner, IDisposable weights) : DelegatingChatClient(inner)
    {
        protected override void Dispose(bool disposing)
        {
            base.Dispose(disposing);
            if (disposing)
            {
                weights.Dispose();
            }
        }
    }
#endif
}
