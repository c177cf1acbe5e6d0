using System.Globalization;
using static TorchSharp.torch;
using Modules = TorchSharp.Modules;

namespace TrainInsight.Torch.Internal;

/// <summary>Reads and changes an optimizer's parameter groups: learning rates for the metrics, and the set_ commands.</summary>
internal static class OptimizerSettings
{
    /// <summary>With several parameter groups, each also gets <c>learning_rate/group&lt;i&gt;</c> (0-based).</summary>
    public static string[] RateNames(optim.Optimizer optimizer)
    {
        var count = optimizer.ParamGroups.Count();
        return count < 2 ? [] : [.. Enumerable.Range(0, count).Select(i => MetricNames.ForLayer(MetricNames.LearningRate, "group" + i.ToString(CultureInfo.InvariantCulture)))];
    }

    public static void AddLearningRates(optim.Optimizer optimizer, string[] groupNames, Dictionary<string, double> values)
    {
        var index = 0;
        foreach (var group in optimizer.ParamGroups)
        {
            if (index == 0)
            {
                values[MetricNames.LearningRate] = group.LearningRate;
            }

            if (index < groupNames.Length)
            {
                values[groupNames[index]] = group.LearningRate;
            }

            index++;
        }
    }

    /// <summary>Sets every group's learning rate, all or nothing.</summary>
    public static (ControlStatus Status, string Message) SetLearningRate(optim.Optimizer optimizer, double? value)
    {
        if (value is not { } rate || !double.IsFinite(rate) || rate <= 0 || rate > TrainingSession.MaxLearningRate)
        {
            return (ControlStatus.Rejected, $"The learning rate must be a finite number greater than 0 and at most {TrainingSession.MaxLearningRate.ToString(CultureInfo.InvariantCulture)}; got {Describe(value)}. Nothing was changed.");
        }

        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }

        return (ControlStatus.Applied, $"Learning rate set to {rate.ToString("R", CultureInfo.InvariantCulture)} from the next step.");
    }

    /// <summary>Sets every group's weight decay (Adam, AdamW and SGD), all or nothing.</summary>
    public static (ControlStatus Status, string Message) SetWeightDecay(optim.Optimizer optimizer, double? value)
    {
        if (value is not { } decay || !double.IsFinite(decay) || decay < 0 || decay > TrainingSession.MaxWeightDecay)
        {
            return (ControlStatus.Rejected, $"The weight decay must be a finite number from 0 to {TrainingSession.MaxWeightDecay.ToString(CultureInfo.InvariantCulture)}; got {Describe(value)}. Nothing was changed.");
        }

        // Check every group first, so that the change is all or nothing.
        var groups = optimizer.ParamGroups.Select(g => (g as Modules.ParamGroup)?.Options).ToList();
        if (groups.Count == 0 || !groups.TrueForAll(HasWeightDecay))
        {
            return (ControlStatus.Rejected, $"Setting the weight decay is supported for Adam, AdamW and SGD optimizers only; this optimizer is {optimizer.GetType().Name}. Nothing was changed.");
        }

        foreach (var options in groups)
        {
            switch (options)
            {
                case Modules.Adam.Options adam:
                    adam.weight_decay = decay;
                    break;
                case Modules.AdamW.Options adamW:
                    adamW.weight_decay = decay;
                    break;
                case Modules.SGD.Options sgd:
                    sgd.weight_decay = decay;
                    break;
            }
        }

        return (ControlStatus.Applied, $"Weight decay set to {decay.ToString("R", CultureInfo.InvariantCulture)} from the next step.");
    }

    public static string Describe(double? value) =>
        value is { } v ? v.ToString("R", CultureInfo.InvariantCulture) : "no value";

    private static bool HasWeightDecay(Modules.OptimizerOptions? options) =>
        options is Modules.Adam.Options or Modules.AdamW.Options or Modules.SGD.Options;
}
