using System.Globalization;
using TrainInsight.Cli.Llm;
using TrainInsight.Torch.Training;
using TrainInsight.Torch.Vision;

namespace TrainInsight.Samples.Console;

/// <summary>The sample's command line.</summary>
internal sealed class SampleSettings
{
    public const string Usage = """
        Trains a small network on Fashion-MNIST and streams its metrics live.

        Usage: traininsight-sample [options]
          --epochs N            epochs to train (default 8; about two minutes on 2 cores)
          --batch-size N        training batch size (default 128)
          --lr X                (base) learning rate (default 0.001)
          --model NAME          smallcnn, mlp (256-128 hidden units) or resnet (small ResNet, width 16) (default smallcnn)
          --optimizer NAME      adam, adamw or sgd (SGD with momentum 0.9) (default adam)
          --schedule NAME       constant, step (x0.1 every 3 epochs) or cosine (to 0 at the end) (default constant)
          --warmup N            steps of linear learning-rate warm-up (default 0)
          --augment             random horizontal flips and 4-pixel shifts of the training images
          --limit N             use only the first N training images (default: all 60,000)
          --metrics-interval N  publish metrics every N steps (default 10)
          --statistics-interval N
                                per-layer gradient/weight norms, update ratios and dead-ReLU shares every N steps;
                                0 turns them off (default 100)
          --checkpoints DIR     where save_checkpoint commands and the final checkpoint write (default checkpoints)
          --no-checkpoints      write no checkpoints (save_checkpoint commands are rejected)
          --early-stop N        stop when validation loss has not improved for N epochs (default: off;
                                the set_early_stopping command can turn it on while training)
          --seed N              seed for weights and shuffling (default 42)
          --data DIR            folder with the Fashion-MNIST IDX files (default /usr/share/datasets/fashion-mnist)
          --urls URLS           where to serve the endpoints (default http://127.0.0.1:5000)
          --db FILE             SQLite file keeping every run's history (default traininsight.db)
          --no-db               keep history in memory only
          --push-to URL         also send every event to another TrainInsight host (POST URL/api/ingest),
                                e.g. a central dashboard server; see docs/ingest.md
          --tensorboard DIR     also write every metric as TensorBoard scalars to DIR/<run id>
                                (view with: tensorboard --logdir DIR)
          --no-diagnostics      do not diagnose the run (by default findings such as divergence, overfitting or
                                a learning rate too high are shown as they are raised and resolved, streamed and
                                stored with the metrics; GET /api/runs/<run id>/findings lists them)
          --keep-serving        keep serving after training ends, until Ctrl+C
          --help                show this help

        The assistant (POST /api/assistant/analyze, /suggest, /diagnose, /chat) answers from the diagnosis's rules,
        or from a model chosen with:
        """ + ChatClientSettings.Usage;

    public int Epochs { get; private set; } = 8;

    public int BatchSize { get; private set; } = 128;

    public double LearningRate { get; private set; } = 1e-3;

    public string Model { get; private set; } = "smallcnn";

    public TrainerOptimizer Optimizer { get; private set; } = TrainerOptimizer.Adam;

    public LearningRateSchedule Schedule { get; private set; } = LearningRateSchedule.Constant;

    public int WarmupSteps { get; private set; }

    public bool Augment { get; private set; }

    public int? Limit { get; private set; }

    public int MetricsInterval { get; private set; } = 10;

    /// <summary>Gets the steps between layer and activation statistics, or 0 for none.</summary>
    public int StatisticsInterval { get; private set; } = 100;

    /// <summary>Gets the checkpoint folder, or null for no checkpoints.</summary>
    public string? Checkpoints { get; private set; } = "checkpoints";

    /// <summary>Gets the early-stopping patience in epochs, or null when off.</summary>
    public int? EarlyStopPatience { get; private set; }

    public int Seed { get; private set; } = 42;

    public string DataDirectory { get; private set; } = FashionMnist.DefaultDirectory;

    public string Urls { get; private set; } = "http://127.0.0.1:5000";

    public bool KeepServing { get; private set; }

    /// <summary>Gets the base address of a central TrainInsight host to push events to, or null.</summary>
    public Uri? PushTo { get; private set; }

    /// <summary>Gets the SQLite file, or null to keep history in memory.</summary>
    public string? Database { get; private set; } = "traininsight.db";

    /// <summary>Gets the folder for TensorBoard event files (one sub-folder per run), or null for none.</summary>
    public string? TensorBoardDirectory { get; private set; }

    /// <summary>Gets whether the run is diagnosed live (AddDiagnostics). The default is on.</summary>
    public bool Diagnostics { get; private set; } = true;

    public bool ShowHelp { get; private set; }

    /// <summary>Gets the model behind the assistant (the <c>--llm</c> options and <c>TRAININSIGHT_LLM*</c> variables).</summary>
    public ChatClientSettings Llm { get; } = ChatClientSettings.FromEnvironment();

    /// <summary>Parses the command line; throws <see cref="FormatException"/> with a readable message on bad input.</summary>
    public static SampleSettings Parse(IReadOnlyList<string> args)
    {
        var settings = new SampleSettings();
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new FormatException($"{name} needs a value.");
            switch (name)
            {
                case "--epochs": settings.Epochs = Int(name, Value(), 1, 10_000); break;
                case "--batch-size": settings.BatchSize = Int(name, Value(), 1, 65_536); break;
                case "--lr": settings.LearningRate = Double(name, Value()); break;
                case "--model": settings.Model = Choice(name, Value(), ["smallcnn", "mlp", "resnet"]); break;
                case "--optimizer":
                    settings.Optimizer = Choice(name, Value(), ["adam", "adamw", "sgd"]) switch
                    {
                        "adamw" => TrainerOptimizer.AdamW,
                        "sgd" => TrainerOptimizer.SgdMomentum,
                        _ => TrainerOptimizer.Adam,
                    };
                    break;
                case "--schedule":
                    settings.Schedule = Choice(name, Value(), ["constant", "step", "cosine"]) switch
                    {
                        "step" => LearningRateSchedule.Step,
                        "cosine" => LearningRateSchedule.Cosine,
                        _ => LearningRateSchedule.Constant,
                    };
                    break;
                case "--warmup": settings.WarmupSteps = Int(name, Value(), 0, 10_000_000); break;
                case "--augment": settings.Augment = true; break;
                case "--limit": settings.Limit = Int(name, Value(), 1, int.MaxValue); break;
                case "--metrics-interval": settings.MetricsInterval = Int(name, Value(), 1, 1_000_000); break;
                case "--statistics-interval": settings.StatisticsInterval = Int(name, Value(), 0, 1_000_000); break;
                case "--checkpoints": settings.Checkpoints = Value(); break;
                case "--no-checkpoints": settings.Checkpoints = null; break;
                case "--early-stop": settings.EarlyStopPatience = Int(name, Value(), 1, 10_000); break;
                case "--seed": settings.Seed = Int(name, Value(), int.MinValue, int.MaxValue); break;
                case "--data": settings.DataDirectory = Value(); break;
                case "--urls": settings.Urls = Value(); break;
                case "--keep-serving": settings.KeepServing = true; break;
                case "--no-diagnostics": settings.Diagnostics = false; break;
                case "--db": settings.Database = Value(); break;
                case "--no-db": settings.Database = null; break;
                case "--push-to": settings.PushTo = HttpUrl(name, Value()); break;
                case "--tensorboard": settings.TensorBoardDirectory = Folder(name, Value()); break;
                case "--help" or "-h" or "-?": settings.ShowHelp = true; break;
                default:
                    if (settings.Llm.TryParse(name, Value))
                    {
                        break;
                    }

                    throw new FormatException($"Unknown option '{name}'. Run with --help to see the options.");
            }
        }

        return settings;
    }

    private static string Choice(string name, string value, string[] choices) =>
        choices.FirstOrDefault(c => string.Equals(c, value, StringComparison.OrdinalIgnoreCase))
            ?? throw new FormatException($"{name} must be one of {string.Join(", ", choices)}, not '{value}'.");

    private static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var parsed) && parsed >= min && parsed <= max
            ? parsed
            : throw new FormatException($"{name} must be an integer from {min:N0} to {max:N0}, not '{value}'.");

    private static string Folder(string name, string value) =>
        !string.IsNullOrWhiteSpace(value) ? value : throw new FormatException($"{name} needs a folder.");

    private static Uri HttpUrl(string name, string value) =>
        Uri.TryCreate(value, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"
            ? uri
            : throw new FormatException($"{name} must be an absolute http:// or https:// address, not '{value}'.");

    private static double Double(string name, string value) =>
        double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) && double.IsFinite(parsed) && parsed > 0 && parsed <= 10
            ? parsed
            : throw new FormatException($"{name} must be a number greater than 0 and at most 10, not '{value}'.");
}
