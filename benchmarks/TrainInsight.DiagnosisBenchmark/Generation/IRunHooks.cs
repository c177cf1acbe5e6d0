using TrainInsight.Torch;

namespace TrainInsight.DiagnosisBenchmark.Generation;

/// <summary>Something that takes part in a live run: it sees the bus before the run starts and acts before step boundaries.</summary>
internal interface IRunHooks
{
    /// <summary>The bus, control mailbox and run exist; the session is not attached yet.</summary>
    void Started(ITelemetryBus bus, ITrainingControl control, RunDescriptor run);

    /// <summary>Called on the training thread before each <see cref="TrainingSession.WaitForStepBoundary"/>, so commands submitted here apply at it.</summary>
    void BeforeBoundary(TrainingSession session);

    /// <summary>The run has completed (its last event is published); the bus is still open.</summary>
    void Finished();
}
