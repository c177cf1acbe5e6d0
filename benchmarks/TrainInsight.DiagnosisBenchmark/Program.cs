using TrainInsight.Cli.Llm;
using TrainInsight.DiagnosisBenchmark;
using TrainInsight.DiagnosisBenchmark.Advice;
using TrainInsight.DiagnosisBenchmark.Fixes;
using TrainInsight.DiagnosisBenchmark.Generation;
using TrainInsight.DiagnosisBenchmark.Proposals;
using TrainInsight.DiagnosisBenchmark.Scoring;

try
{
    var arguments = Arguments.Parse(args);
    // One libtorch thread by default: on 2 shared cores, two OpenMP threads spin against other processes and run
    // 2-6x slower (measured: SmallCnn 3,600 img/s with 1 thread, 560 img/s with 2 under load).
    // score and advice never touch TorchSharp, so they run anywhere (no native libtorch needed).
    var threads = arguments.Get("threads") is { } text ? int.Parse(text, System.Globalization.CultureInfo.InvariantCulture) : 1;
    if (arguments.Command is not ("score" or "advice"))
    {
        TorchSharp.torch.set_num_threads(threads);
    }

    return arguments.Command switch
    {
        "generate" => GenerateCommand.Run(arguments),
        "score" => ScoreCommand.Run(arguments),
        "fix" => FixEfficacyCommand.Run(arguments),
        "all" => AllCommand.Run(arguments),
        "advice" => AdviceCommand.Run(arguments),
        "proposals" => ProposalEfficacyCommand.Run(arguments),
        _ => throw new UsageException($"Unknown command '{arguments.Command}'."),
    };
}
catch (UsageException ex)
{
    Console.Error.WriteLine($"error: {ex.Message}");
    Console.Error.WriteLine("usage: generate --out DIR [--models mlp,cnn] [--seeds 3] [--scenarios a,b] [--data DIR] [--skip-existing]");
    Console.Error.WriteLine("                [--lr X] [--momentum X] [--optimizer adam|sgd] [--epochs N]   (exploration overrides)");
    Console.Error.WriteLine("       score --traces DIR [--models cnn] [--format text|json] [--out FILE_PREFIX]");
    Console.Error.WriteLine("       fix --traces DIR --out DIR [--models cnn] [--scenarios a,b] [--data DIR]");
    Console.Error.WriteLine("       all [--out DIR] [--seeds 3] [--scenarios a,b] [--data DIR] [--skip-existing]");
    Console.Error.WriteLine(AdviceCommand.Usage);
    Console.Error.WriteLine(ProposalEfficacyCommand.Usage);
    Console.Error.WriteLine(ChatClientSettings.Usage.TrimEnd());
    Console.Error.WriteLine("every command: [--threads N] (libtorch threads, default 1)");
    return 2;
}
