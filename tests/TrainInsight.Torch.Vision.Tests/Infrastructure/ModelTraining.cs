using static TorchSharp.torch;

namespace TrainInsight.Torch.Vision.Tests;

/// <summary>A bare Adam loop for model tests: trains on one fixed batch and reports the first and last loss.</summary>
internal static class ModelTraining
{
    public static (double First, double Last) FirstAndLastLoss(nn.Module<Tensor, Tensor> model, ImageClassificationData data, int steps)
    {
        using var optimizer = optim.Adam(model.parameters(), 1e-2);
        var (images, labels) = data.Batches(data.Count).Single();
        using (images)
        using (labels)
        {
            model.train();
            double first = 0, last = 0;
            for (var i = 0; i < steps; i++)
            {
                using var scope = NewDisposeScope();
                optimizer.zero_grad();
                var loss = nn.functional.cross_entropy(model.call(images), labels);
                loss.backward();
                optimizer.step();
                last = loss.item<float>();
                if (i == 0)
                {
                    first = last;
                }
            }

            return (first, last);
        }
    }
}
