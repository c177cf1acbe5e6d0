using System.Diagnostics;
using static TrainInsight.Tests.TestEvents;

namespace TrainInsight.Tests.Control;

public class TrainingControlTests
{
    [Fact]
    public void Submit_NoActiveRun_ThrowsRunNotActiveException()
    {
        var control = TrainingControl.Create();

        control.Invoking(c => c.Submit(ControlAction.Pause))
            .Should().Throw<RunNotActiveException>()
            .Which.RunId.Should().BeNull();
    }

    [Fact]
    public void Submit_WithValue_QueuesTheValueUnvalidated()
    {
        var control = TrainingControl.Create();
        using var attached = control.Attach("run-a");

        var set = control.Submit(ControlAction.SetLearningRate, "run-a", 0.01);
        var invalid = control.Submit(ControlAction.SetWeightDecay, value: double.NaN);
        var pause = control.Submit(ControlAction.Pause);

        attached.TryTake(out var first).Should().BeTrue();
        first.Should().BeSameAs(set);
        first!.Action.Should().Be(ControlAction.SetLearningRate);
        first.Value.Should().Be(0.01);
        attached.TryTake(out var second).Should().BeTrue();
        second.Should().BeSameAs(invalid);
        double.IsNaN(second!.Value!.Value).Should().BeTrue("the trainer rejects it, so that the attempt is audited");
        attached.TryTake(out var third).Should().BeTrue();
        third!.Value.Should().BeNull();
        pause.Value.Should().BeNull();
        new ControlCommand(ControlAction.Stop).Value.Should().BeNull();
    }

    [Fact]
    public void Submit_UnknownRunId_ThrowsRunNotActiveExceptionWithRunId()
    {
        var control = TrainingControl.Create();
        using var attached = control.Attach("run-a");

        control.Invoking(c => c.Submit(ControlAction.Stop, "run-b"))
            .Should().Throw<RunNotActiveException>()
            .Which.RunId.Should().Be("run-b");
        attached.TryTake(out _).Should().BeFalse();
    }

    [Fact]
    public void Submit_NullRunId_QueuesSameCommandForEveryAttachedRun()
    {
        var control = TrainingControl.Create();
        using var a = control.Attach("run-a");
        using var b = control.Attach("run-b");

        var command = control.Submit(ControlAction.Pause);

        command.RunId.Should().BeNull();
        command.Action.Should().Be(ControlAction.Pause);
        a.TryTake(out var takenByA).Should().BeTrue();
        b.TryTake(out var takenByB).Should().BeTrue();
        takenByA.Should().BeSameAs(command);
        takenByB.Should().BeSameAs(command);
    }

    [Fact]
    public void Submit_RunId_QueuesOnlyForThatRun()
    {
        var control = TrainingControl.Create();
        using var a = control.Attach("run-a");
        using var b = control.Attach("run-b");

        var command = control.Submit(ControlAction.Stop, "run-b");

        command.RunId.Should().Be("run-b");
        a.TryTake(out _).Should().BeFalse();
        b.TryTake(out var taken).Should().BeTrue();
        taken.Should().BeSameAs(command);
    }

    [Fact]
    public void TryTake_SeveralCommands_ReturnsThemInSubmissionOrderThenFalse()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");
        var submitted = new[] { ControlAction.Pause, ControlAction.Resume, ControlAction.Stop }
            .Select(action => control.Submit(action, "run-a"))
            .ToList();

        var taken = new List<ControlCommand>();
        while (receiver.TryTake(out var command))
        {
            taken.Add(command);
        }

        taken.Should().Equal(submitted, ReferenceEquals);
        receiver.TryTake(out var none).Should().BeFalse();
        none.Should().BeNull();
    }

    [Fact]
    public void Submit_Always_IssuesCommandsWithUniqueIds()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");

        var ids = new List<string>();
        for (var i = 0; i < 100; i++)
        {
            ids.Add(control.Submit(ControlAction.Pause).Id);
            receiver.TryTake(out _).Should().BeTrue();
        }

        ids.Should().OnlyHaveUniqueItems().And.OnlyContain(id => id.StartsWith("cmd_", StringComparison.Ordinal));
    }

    [Fact]
    public void Submit_RunQueueFull_ThrowsControlQueueFullExceptionAndQueuesForNoRun()
    {
        var control = TrainingControl.Create();
        using var full = control.Attach("run-a");
        using var empty = control.Attach("run-b");
        for (var i = 0; i < ITrainingControl.MaxPendingCommands; i++)
        {
            control.Submit(ControlAction.Pause, "run-a");
        }

        var toFull = () => control.Submit(ControlAction.Stop, "run-a");
        var toAll = () => control.Submit(ControlAction.Stop);

        toFull.Should().Throw<ControlQueueFullException>().Which.RunId.Should().Be("run-a");
        toAll.Should().Throw<ControlQueueFullException>();
        empty.TryTake(out _).Should().BeFalse("a command for every run is queued for all of them or for none");
        full.TryTake(out var first).Should().BeTrue();
        first!.Action.Should().Be(ControlAction.Pause);
        control.Submit(ControlAction.Stop, "run-a").Action.Should().Be(ControlAction.Stop, "taking one frees a slot");
    }

    [Fact]
    public async Task WaitForCommand_SubmitWhileWaiting_WakesAndReturnsTrue()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");

        var (waiter, result) = StartWaiting(() => receiver.WaitForCommand(TimeSpan.FromMinutes(5)));
        await Poll.UntilAsync(() => IsBlocked(waiter) || result.Task.IsCompleted, "the trainer thread is waiting");
        control.Submit(ControlAction.Resume, "run-a");

        (await result.Task.WaitAsync(Patience)).Should().BeTrue();
        receiver.TryTake(out var command).Should().BeTrue();
        command!.Action.Should().Be(ControlAction.Resume);
    }

    [Fact]
    public async Task WaitForCommand_InfiniteTimeout_WaitsUntilSubmit()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");

        var (waiter, result) = StartWaiting(() => receiver.WaitForCommand(Timeout.InfiniteTimeSpan));
        await Poll.UntilAsync(() => IsBlocked(waiter) || result.Task.IsCompleted, "the trainer thread is waiting");
        result.Task.IsCompleted.Should().BeFalse("an infinite timeout must not end the wait at once");
        control.Submit(ControlAction.Resume);

        (await result.Task.WaitAsync(Patience)).Should().BeTrue();
    }

    [Fact]
    public void WaitForCommand_CommandAlreadyPending_ReturnsTrueAndLeavesItPending()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");
        control.Submit(ControlAction.Stop);

        receiver.WaitForCommand(TimeSpan.Zero).Should().BeTrue();
        receiver.WaitForCommand(TimeSpan.MaxValue).Should().BeTrue();
        receiver.TryTake(out _).Should().BeTrue();
    }

    [Fact]
    public void WaitForCommand_NothingSubmitted_ReturnsFalseOnceTimeoutElapsed()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");
        var timeout = TimeSpan.FromMilliseconds(150);

        var watch = Stopwatch.StartNew();
        var result = receiver.WaitForCommand(timeout);
        watch.Stop();

        result.Should().BeFalse();
        watch.Elapsed.Should().BeGreaterThanOrEqualTo(timeout - TimeSpan.FromMilliseconds(15), "it waits for the whole timeout");
    }

    [Fact]
    public async Task WaitForCommand_CancelledWhileWaiting_ReturnsFalseBeforeTimeout()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");
        using var cts = new CancellationTokenSource();

        var (waiter, result) = StartWaiting(() => receiver.WaitForCommand(TimeSpan.FromMinutes(5), cts.Token));
        await Poll.UntilAsync(() => IsBlocked(waiter) || result.Task.IsCompleted, "the trainer thread is waiting");
        await cts.CancelAsync();

        (await result.Task.WaitAsync(Patience)).Should().BeFalse();
    }

    [Fact]
    public void WaitForCommand_AlreadyCancelled_ReturnsFalse()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");

        receiver.WaitForCommand(TimeSpan.FromMinutes(5), new CancellationToken(canceled: true)).Should().BeFalse();
    }

    [Fact]
    public void WaitForCommand_NegativeTimeout_ThrowsArgumentOutOfRangeException()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");

        receiver.Invoking(r => r.WaitForCommand(TimeSpan.FromMilliseconds(-2)))
            .Should().Throw<ArgumentOutOfRangeException>().WithParameterName("timeout");
    }

    [Fact]
    public void Attach_SameIdTwice_ThrowsInvalidOperationException()
    {
        var control = TrainingControl.Create();
        using var first = control.Attach("run-a");

        control.Invoking(c => c.Attach("run-a")).Should().ThrowExactly<InvalidOperationException>();
        control.ActiveRuns.Should().Equal("run-a");
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Attach_NullOrEmptyId_ThrowsArgumentException(string? runId)
    {
        var control = TrainingControl.Create();

        control.Invoking(c => c.Attach(runId!)).Should().Throw<ArgumentException>();
    }

    [Fact]
    public void Attach_SeveralRuns_ListsThemAsActive()
    {
        var control = TrainingControl.Create();
        using var a = control.Attach("run-a");
        using var b = control.Attach("run-b");

        control.ActiveRuns.Should().BeEquivalentTo("run-a", "run-b");
        a.RunId.Should().Be("run-a");
    }

    [Fact]
    public void Dispose_Receiver_DetachesRun()
    {
        var control = TrainingControl.Create();
        var receiver = control.Attach("run-a");

        receiver.Dispose();
        receiver.Dispose();

        control.ActiveRuns.Should().BeEmpty();
        control.Invoking(c => c.Submit(ControlAction.Pause, "run-a")).Should().Throw<RunNotActiveException>();
        control.Invoking(c => c.Submit(ControlAction.Pause)).Should().Throw<RunNotActiveException>();
        using var again = control.Attach("run-a");
        control.ActiveRuns.Should().Equal("run-a");
    }

    [Fact]
    public void Dispose_OldReceiverAfterReattach_LeavesNewReceiverAttached()
    {
        var control = TrainingControl.Create();
        var old = control.Attach("run-a");
        old.Dispose();
        using var current = control.Attach("run-a");

        old.Dispose();
        control.Submit(ControlAction.Stop, "run-a");

        control.ActiveRuns.Should().Equal("run-a");
        current.TryTake(out _).Should().BeTrue();
    }

    [Theory]
    [InlineData(ControlAction.SaveCheckpoint, null)]
    [InlineData(ControlAction.Evaluate, null)]
    [InlineData(ControlAction.SetEarlyStopping, 5.0)]
    [InlineData(ControlAction.SetEarlyStopping, 0.0)]
    [InlineData(ControlAction.SetEarlyStopping, 2.5)]
    [InlineData(ControlAction.SetEarlyStopping, -1.0)]
    [InlineData(ControlAction.SetEarlyStopping, 10_001.0)]
    public void Submit_CheckpointEvaluateAndEarlyStopping_QueuesActionAndValueUnvalidated(ControlAction action, double? value)
    {
        var control = TrainingControl.Create();
        using var attached = control.Attach("run-a");

        var submitted = control.Submit(action, "run-a", value);

        attached.TryTake(out var taken).Should().BeTrue();
        taken.Should().BeSameAs(submitted);
        taken!.Action.Should().Be(action);
        taken.Value.Should().Be(value, "the trainer checks the patience and rejects it with an audited acknowledgement");
        taken.RunId.Should().Be("run-a");
    }

    [Fact]
    public void Submit_ACommandBuiltByTheCaller_QueuesItWithItsPath()
    {
        var control = TrainingControl.Create();
        using var receiver = control.Attach("run-a");
        var command = new ControlCommand(ControlAction.RestoreCheckpoint, "run-a") { Path = "/ckpt/step-00000010.pt" };

        control.Submit(command).Should().BeSameAs(command);

        receiver.TryTake(out var taken).Should().BeTrue();
        taken.Should().BeSameAs(command);
        taken!.Path.Should().Be("/ckpt/step-00000010.pt");
        FluentActions.Invoking(() => control.Submit(new ControlCommand(ControlAction.Pause, "other"))).Should().Throw<RunNotActiveException>();
        FluentActions.Invoking(() => new ControlCommand(ControlAction.RestoreCheckpoint) { Path = " " }).Should().Throw<ArgumentException>();
        new FixCommand(ControlAction.RestoreCheckpoint) { Path = "/c.pt" }.ToCommand("run-a").Path.Should().Be("/c.pt");
    }

    [Fact]
    public void ControlAction_NewActions_AreAppendedAfterTheExistingValues()
    {
        Enum.GetValues<ControlAction>().Select(a => (int)a).Should().Equal(0, 1, 2, 3, 4, 5, 6, 7, 8);
        ((int)ControlAction.SetWeightDecay).Should().Be(4, "stored and serialized values of the existing actions must not move");
        ((int)ControlAction.SaveCheckpoint).Should().Be(5);
        ((int)ControlAction.Evaluate).Should().Be(6);
        ((int)ControlAction.SetEarlyStopping).Should().Be(7);
        ((int)ControlAction.RestoreCheckpoint).Should().Be(8);
    }

    [Fact]
    public void ControlCommand_UnknownAction_ThrowsArgumentOutOfRangeException()
    {
        var create = () => new ControlCommand((ControlAction)42);

        create.Should().Throw<ArgumentOutOfRangeException>();
    }

    private static bool IsBlocked(Thread thread) => (thread.ThreadState & System.Threading.ThreadState.WaitSleepJoin) != 0;

    private static (Thread Thread, TaskCompletionSource<bool> Result) StartWaiting(Func<bool> wait)
    {
        var result = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                result.SetResult(wait());
            }
            catch (Exception ex)
            {
                result.SetException(ex);
            }
        })
        {
            IsBackground = true,
            Name = "trainer",
        };
        thread.Start();
        return (thread, result);
    }
}
