using System.Text;
using TrainInsight.Streaming.Serialization;
using static TrainInsight.Streaming.Tests.Infrastructure.TestEvents;

namespace TrainInsight.Streaming.Tests.Serialization;

public sealed class ProposalWireFormatTests
{
    // MeasuredProposal's data, as docs/protocol.md shows a proposal (non-ASCII characters escaped, non-finite numbers as strings).
    public static readonly string MeasuredProposalData = """
        {"proposal_id":"prop_0123456789abcdef0123456789abcdef","run_id":"run-a","revision":3,"state":"applied","source":"rule",
        "title":"Set the learning rate to 0.001 (0.01 \u00F7 10)",
        "commands":[{"action":"set_learning_rate","value":0.001},{"action":"restore_checkpoint","path":"checkpoints/step-400.pt"}],
        "timestamp":1767225600.25,"created_at":1767225540.25,"rationale":"train_loss rose 3\u00D7 in 50 steps.",
        "expected_effect":"The loss falls within 100 steps.","finding_id":"run-a/divergence/1","finding_label":"divergence",
        "target_metric":"train_loss","actor":"trainer","reason":"Applied at step 420.","auto_applied":true,
        "command_ids":["cmd_1","cmd_2"],"checkpoint_path":"checkpoints/before-prop.pt","previous_values":{"learning_rate":0.01},
        "applied_step":420,"outcome":{"metric":"train_loss","verdict":"hurt","before":2.5,"after":"NaN","expected":2.4,"change":"NaN",
        "message":"train_loss stopped being finite.","before_count":20,"after_count":20,"from_step":380,"to_step":460},
        "revert_of":"prop_old","superseded_by":"prop_new"}
        """.ReplaceLineEndings(string.Empty);

    [Fact]
    public void SerializeSse_ProposalEvent_WritesProposalTypeAndEveryField()
    {
        var text = Encoding.UTF8.GetString(WireFormat.SerializeSse(MeasuredProposal(Run("run-a"))));

        text.Should().Be("""{"timestamp":1767225600.25,"event_type":"proposal","run_id":"run-a","sequence":0,"offset":0,"data":""" + MeasuredProposalData + "}");
    }

    [Fact]
    public void SerializeWebSocket_PendingProposal_OmitsAbsentFieldsButKeepsListsAndFlags()
    {
        var text = Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(PendingProposal(Run("run-b"))));

        text.Should().Be("""
            {"message_type":"proposal","timestamp":1767225600.25,"run_id":"run-b","sequence":0,"offset":0,"data":{"proposal_id":"prop_pending",
            "run_id":"run-b","revision":1,"state":"pending","source":"external","title":"Pause the run","commands":[{"action":"pause"}],
            "timestamp":1767225600.25,"created_at":1767225600.25,"auto_applied":false,"command_ids":[],"previous_values":{}}}
            """.ReplaceLineEndings(string.Empty));
    }

    [Fact]
    public void SerializeSse_AssistantAnalysisEvent_WritesAssistantAnalysisTypeAndEveryField()
    {
        var text = Encoding.UTF8.GetString(WireFormat.SerializeSse(Analysis(Run("run-a"))));

        text.Should().Be("""
            {"timestamp":1767225600.25,"event_type":"assistant_analysis","run_id":"run-a","sequence":0,"offset":0,"data":{"trigger":"finding",
            "source":"rules","text":"From the rules: train_loss diverged at step 400.","step":400,"finding_id":"run-a/divergence/1",
            "language":"en","notice":"No chat client is registered.","proposal_ids":["prop_1","prop_2"]}}
            """.ReplaceLineEndings(string.Empty));
    }

    [Fact]
    public void SerializeWebSocket_ControlAppliedRestore_WritesTheCommandsPath()
    {
        var command = new ControlCommand(ControlAction.RestoreCheckpoint, "run-a") { Path = "checkpoints/step-400.pt" };
        var applied = new TrainingEvent(Run("run-a"), TrainingEventKind.ControlApplied) { Command = command, ControlStatus = ControlStatus.Applied };

        var text = Encoding.UTF8.GetString(WireFormat.SerializeWebSocket(applied));

        text.Should().EndWith($"\"data\":{{\"command_id\":\"{command.Id}\",\"action\":\"restore_checkpoint\",\"path\":\"checkpoints/step-400.pt\",\"status\":\"applied\"}}}}");
    }
}
