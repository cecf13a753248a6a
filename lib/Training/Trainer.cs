using System.Diagnostics;
using PruningLab.Data;
using TorchSharp;
using static TorchSharp.torch;

namespace PruningLab.Training;

/// <summary>
/// The course's training loop: shuffled mini-batches, cross-entropy, an optimiser step, the hooks (which keep
/// pruned weights at zero), then evaluation on the test set after every epoch. Introduced in lesson 00.
/// </summary>
public static class Trainer
{
    /// <summary>
    /// Trains <paramref name="model"/> in place and returns the per-epoch history.
    /// </summary>
    /// <param name="model">The network; left in training mode.</param>
    /// <param name="train">Training images (shuffled every epoch from <see cref="TrainingOptions.Seed"/>).</param>
    /// <param name="test">Evaluation images, measured after every epoch.</param>
    /// <param name="options">Epochs, optimiser, schedule, hooks; defaults if null.</param>
    /// <param name="onEpoch">Called after every epoch with the history so far: a notebook redraws its live chart here.</param>
    /// <returns>One <see cref="EpochResult"/> per epoch.</returns>
    /// <remarks>Every batch runs inside its own dispose scope, so native memory stays flat across epochs.</remarks>
    public static TrainingHistory Fit(nn.Module<Tensor, Tensor> model, ImageDataset train, ImageDataset test,
        TrainingOptions? options = null, Action<TrainingHistory>? onEpoch = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(train);
        ArgumentNullException.ThrowIfNull(test);
        options ??= new TrainingOptions();
        options.Validate();
        if (train.Count == 0) throw new ArgumentException("The training set is empty.", nameof(train));

        var history = new TrainingHistory();
        var display = ResolveDisplay(options.Progress);
        random.manual_seed(options.Seed);
        using var optimizer = options.Optimizer.Create(model.parameters());
        long step = 0;
        var batchesPerEpoch = (train.Count + options.BatchSize - 1) / options.BatchSize;

        model.train();
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var rate = options.Schedule.RateAt(epoch, options.Epochs, options.Optimizer.LearningRate);
            foreach (var group in optimizer.ParamGroups) group.LearningRate = rate;

            var bar = display == ProgressDisplay.Bar ? new ProgressBar(Console.Error, $"epoch {epoch + 1}/{options.Epochs}", batchesPerEpoch) : null;
            var clock = Stopwatch.StartNew();
            // Loss and correct counts accumulate as tensors: one item() per epoch instead of one per batch.
            using var lossSum = zeros(1, dtype: float64);
            using var correct = zeros(1, dtype: int64);
            var batchIndex = 0;
            foreach (var batch in train.Batches(options.BatchSize, shuffle: true, seed: options.Seed * 1000 + epoch))
            {
                using var scope = NewDisposeScope();
                using (batch)
                {
                    optimizer.zero_grad();
                    var logits = model.forward(batch.X);
                    var loss = nn.functional.cross_entropy(logits, batch.Y);
                    loss.backward();
                    optimizer.step();
                    using (no_grad())
                    {
                        foreach (var hook in options.Hooks) hook.AfterOptimizerStep(model, step);
                        lossSum.add_(loss.detach() * batch.Y.shape[0]);
                        correct.add_(logits.argmax(1).eq(batch.Y).sum());
                    }
                }
                step++;
                bar?.Report(++batchIndex);
            }
            var seconds = clock.Elapsed.TotalSeconds;
            bar?.Finish(batchIndex);
            var (testLoss, testAccuracy) = Evaluator.Evaluate(model, test);
            model.train();
            var result = new EpochResult(epoch + 1, lossSum.item<double>() / train.Count, correct.item<long>() / (double)train.Count,
                testLoss, testAccuracy, rate, seconds);
            history.Add(result);
            if (display is ProgressDisplay.Bar or ProgressDisplay.Lines)
                Console.Error.WriteLine($"epoch {result.Epoch}/{options.Epochs}: train loss {result.TrainLoss:F4}, train acc {result.TrainAccuracy:P2}, " +
                                        $"test loss {result.TestLoss:F4}, test acc {result.TestAccuracy:P2}, {seconds:F2} s");
            onEpoch?.Invoke(history);
        }
        return history;
    }

    private static ProgressDisplay ResolveDisplay(ProgressDisplay requested) => requested switch
    {
        ProgressDisplay.Auto when CourseEnvironment.InNotebook => ProgressDisplay.None,
        ProgressDisplay.Auto => ProgressBar.Terminal is not null ? ProgressDisplay.Bar : ProgressDisplay.Lines,
        _ => requested,
    };
}
