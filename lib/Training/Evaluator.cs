using PruningLab.Data;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>Accuracy, loss and confusion matrix of a model on a dataset (no gradients, eval mode).</summary>
public static class Evaluator
{
    /// <summary>Mean cross-entropy and top-1 accuracy (0…1) of <paramref name="model"/> on <paramref name="data"/>.</summary>
    public static (double Loss, double Accuracy) Evaluate(nn.Module<Tensor, Tensor> model, ImageDataset data, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        if (data.Count == 0) throw new ArgumentException("Cannot evaluate on an empty dataset.", nameof(data));
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            double lossSum = 0;
            long correct = 0;
            foreach (var batch in data.Batches(batchSize, shuffle: false, seed: 0))
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    var logits = model.forward(batch.X);
                    lossSum += nn.functional.cross_entropy(logits, batch.Y, reduction: nn.Reduction.Sum).item<float>();
                    correct += logits.argmax(1).eq(batch.Y).sum().item<long>();
                }
            }
            return (lossSum / data.Count, correct / (double)data.Count);
        }
        finally
        {
            model.train(wasTraining);
        }
    }

    /// <summary>Top-1 accuracy (0…1); a shortcut for <see cref="Evaluate"/>.</summary>
    public static double Accuracy(nn.Module<Tensor, Tensor> model, ImageDataset data) => Evaluate(model, data).Accuracy;

    /// <summary>
    /// The confusion matrix: entry [true class, predicted class] counts the images of the true class that the
    /// model put in the predicted class; rows sum to the class sizes.
    /// </summary>
    public static int[,] ConfusionMatrix(nn.Module<Tensor, Tensor> model, ImageDataset data, int batchSize = 1000)
    {
        var classes = data.ClassNames.Count;
        var matrix = new int[classes, classes];
        var wasTraining = model.training;
        model.eval();
        try
        {
            using var noGrad = no_grad();
            foreach (var batch in data.Batches(batchSize, shuffle: false, seed: 0))
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    var predicted = model.forward(batch.X).argmax(1).data<long>().ToArray();
                    var truth = batch.Y.data<long>().ToArray();
                    for (var i = 0; i < truth.Length; i++) matrix[truth[i], predicted[i]]++;
                }
            }
            return matrix;
        }
        finally
        {
            model.train(wasTraining);
        }
    }
}
