using static TorchSharp.torch;

namespace TrainInsight.Torch.Training;

/// <summary>
/// Computes the learning rate of every step of a run (linear warm-up, then a <see cref="LearningRateSchedule"/>) and sets
/// it on every parameter group of an optimizer, so the monitor's <c>learning_rate</c> metric shows it.
/// </summary>
/// <remarks>
/// Steps are numbered from 0. During the first <see cref="WarmupSteps"/> steps, step <c>i</c> uses
/// <c>base·(i+1)/WarmupSteps</c>, rising linearly from near 0 to the base rate. After that, with <c>s</c> the steps since
/// warm-up: <see cref="LearningRateSchedule.Constant"/> uses the base rate; <see cref="LearningRateSchedule.Step"/> uses
/// <c>base·gamma^⌊s/stepSize⌋</c>; <see cref="LearningRateSchedule.Cosine"/> uses <c>base·(1+cos(π·s/(total−warm-up)))/2</c>,
/// reaching 0 at the planned total.
/// </remarks>
public sealed class LearningRateScheduler
{
    /// <summary>Initializes a new instance of the <see cref="LearningRateScheduler"/> class.</summary>
    /// <param name="baseRate">The base learning rate; finite and greater than 0.</param>
    /// <param name="schedule">The schedule after warm-up.</param>
    /// <param name="totalSteps">The planned number of steps of the run (the cosine reaches 0 there); at least 1.</param>
    /// <param name="warmupSteps">Steps of linear warm-up; at least 0. The default is 0.</param>
    /// <param name="stepSize">For <see cref="LearningRateSchedule.Step"/>, the steps between decays; at least 1. The default is 1.</param>
    /// <param name="gamma">For <see cref="LearningRateSchedule.Step"/>, the decay factor; greater than 0 and at most 1. The default is 0.1.</param>
    public LearningRateScheduler(double baseRate, LearningRateSchedule schedule, long totalSteps, long warmupSteps = 0, long stepSize = 1, double gamma = 0.1)
    {
        if (!double.IsFinite(baseRate) || baseRate <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(baseRate), baseRate, "baseRate must be finite and greater than 0.");
        }

        if (!Enum.IsDefined(schedule))
        {
            throw new ArgumentOutOfRangeException(nameof(schedule), schedule, "Unknown schedule.");
        }

        ArgumentOutOfRangeException.ThrowIfLessThan(totalSteps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(warmupSteps);
        ArgumentOutOfRangeException.ThrowIfLessThan(stepSize, 1);
        if (!(gamma > 0 && gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be greater than 0 and at most 1.");
        }

        BaseRate = baseRate;
        Schedule = schedule;
        TotalSteps = totalSteps;
        WarmupSteps = warmupSteps;
        StepSize = stepSize;
        Gamma = gamma;
    }

    /// <summary>Gets the base learning rate.</summary>
    public double BaseRate { get; }

    /// <summary>Gets the schedule after warm-up.</summary>
    public LearningRateSchedule Schedule { get; }

    /// <summary>Gets the planned number of steps.</summary>
    public long TotalSteps { get; }

    /// <summary>Gets the number of warm-up steps.</summary>
    public long WarmupSteps { get; }

    /// <summary>Gets the steps between decays of <see cref="LearningRateSchedule.Step"/>.</summary>
    public long StepSize { get; }

    /// <summary>Gets the decay factor of <see cref="LearningRateSchedule.Step"/>.</summary>
    public double Gamma { get; }

    /// <summary>Gets the learning rate of step <paramref name="step"/> (counted from 0).</summary>
    /// <param name="step">The step, from 0.</param>
    /// <returns>The learning rate.</returns>
    public double RateAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        if (step < WarmupSteps)
        {
            return BaseRate * (step + 1) / WarmupSteps;
        }

        var since = step - WarmupSteps;
        return Schedule switch
        {
            LearningRateSchedule.Step => BaseRate * Math.Pow(Gamma, since / StepSize),
            LearningRateSchedule.Cosine => BaseRate * 0.5 * (1 + Math.Cos(Math.PI * Math.Min(1.0, (double)since / Math.Max(1, TotalSteps - WarmupSteps)))),
            _ => BaseRate,
        };
    }

    /// <summary>Sets every parameter group's learning rate of <paramref name="optimizer"/> to <see cref="RateAt"/>.</summary>
    /// <param name="optimizer">The optimizer.</param>
    /// <param name="step">The step about to be taken, from 0.</param>
    /// <returns>The learning rate that was set.</returns>
    public double Apply(optim.Optimizer optimizer, long step)
    {
        ArgumentNullException.ThrowIfNull(optimizer);
        var rate = RateAt(step);
        foreach (var group in optimizer.ParamGroups)
        {
            group.LearningRate = rate;
        }

        return rate;
    }
}
