using System.Net;
using System.Net.ServerSentEvents;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TrainInsight.Torch.Training;

namespace TrainInsight.EndToEnd.Tests;

/// <summary>Real TorchSharp training with the assistant on and no model: the rules answer over HTTP, grounded in the live run.</summary>
public sealed class LiveAssistantTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(150);

    [FashionMnistFact]
    public async Task Assistant_DivergedRunNoModel_DiagnoseAndChatAnswerFromTheRulesWithALiveFix()
    {
        await using var host = await LiveTrainingHost.StartAsync(metricsInterval: 2, configure: b => b.AddLlm(), torch: o => o.GradientNorm = true);
        using var cts = new CancellationTokenSource(s_timeout);
        host.StartTraining(new VisionTrainerOptions { Epochs = 1, BatchSize = 64, MaxStepsPerEpoch = 60, Seed = 3, Optimizer = TrainerOptimizer.SgdMomentum, LearningRate = 10 });
        var summary = await host.Training.WaitAsync(s_timeout);
        var runId = summary.Run.Id;
        var engine = host.Services.GetRequiredService<TrainInsight.Diagnostics.DiagnosisEngine>();
        // The diagnosis reads the bus on its own thread; with every test assembly running beside it on 2 cores it can lag by
        // many seconds behind a finished run (20 s were once not enough in CI).
        await Poll.UntilAsync(() => engine.GetFindings(runId).Any(f => f.Label == FindingLabels.Divergence), "the diagnosis found the divergence", TimeSpan.FromSeconds(90));

        // Diagnose: JSON, from the rules (no IChatClient), with the live fix computed from the run's learning rate.
        using var diagnose = await PostAsync(host, "/api/assistant/diagnose", $$"""{"run_id":"{{runId}}"}""", cts.Token);
        diagnose.StatusCode.Should().Be(HttpStatusCode.OK);
        var answer = JsonDocument.Parse(await diagnose.Content.ReadAsStringAsync(cts.Token)).RootElement;
        answer.GetProperty("source").GetString().Should().Be("rules");
        answer.GetProperty("notice").GetString().Should().Contain("No IChatClient is registered");
        answer.GetProperty("findings").EnumerateArray().Select(f => f.GetProperty("data").GetProperty("label").GetString()).Should().Contain(FindingLabels.Divergence);
        // A NaN loss ranks "stop" first (the weights are ruined); a loss that explodes while finite ranks the lower rate first.
        var suggestions = answer.GetProperty("suggestions").EnumerateArray().ToList();
        var top = suggestions[0];
        top.GetProperty("commands")[0].GetProperty("action").GetString().Should().BeOneOf("stop", "set_learning_rate");
        top.GetProperty("priority").GetInt32().Should().Be(1);
        foreach (var rate in suggestions.Where(s => s.GetProperty("parameter").GetString() == "learning_rate" && s.GetProperty("proposed_value").ValueKind == JsonValueKind.Number))
        {
            rate.GetProperty("current_value").GetDouble().Should().Be(10, "the run reports the rate it trains with");
            rate.GetProperty("proposed_value").GetDouble().Should().BeLessThan(10);
        }

        answer.GetProperty("text").GetString().Should().Contain("[critical] divergence").And.Contain("Step 1:");

        // Chat over SSE, in Chinese: the rules answer the question's intent and the conversation is kept.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/assistant/chat")
        {
            Content = new StringContent($$"""{"run_id":"{{runId}}","message":"训练为什么发散了？"}""", Encoding.UTF8, "application/json"),
        };
        using var chat = await host.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cts.Token);
        chat.StatusCode.Should().Be(HttpStatusCode.OK);
        chat.Content.Headers.ContentType!.MediaType.Should().Be("text/event-stream");
        var events = new List<SseItem<string>>();
        await using (var stream = await chat.Content.ReadAsStreamAsync(cts.Token))
        {
            await foreach (var item in SseParser.Create(stream).EnumerateAsync(cts.Token))
            {
                events.Add(item);
            }
        }

        events.Should().Contain(e => e.EventType == "delta");
        var final = JsonDocument.Parse(events.Single(e => e.EventType == "answer").Data).RootElement;
        final.GetProperty("source").GetString().Should().Be("rules");
        final.GetProperty("language").GetString().Should().Be("zh");
        final.GetProperty("text").GetString().Should().Contain("训练发散");
        string.Concat(events.Where(e => e.EventType == "delta").Select(e => JsonDocument.Parse(e.Data).RootElement.GetProperty("text").GetString()))
            .Should().Be(final.GetProperty("text").GetString());
        var conversationId = final.GetProperty("conversation_id").GetString();
        var conversation = JsonDocument.Parse(await host.Http.GetStringAsync($"/api/assistant/conversations/{conversationId}?run_id={runId}", cts.Token)).RootElement;
        conversation.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("role").GetString()).Should().Equal("user", "assistant");
    }

    private static Task<HttpResponseMessage> PostAsync(LiveTrainingHost host, string path, string json, CancellationToken cancellationToken) =>
        host.Http.PostAsync(path, new StringContent(json, Encoding.UTF8, "application/json"), cancellationToken);
}
