namespace PruningLab.Training;

/// <summary>What one epoch of training measured.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="TrainLoss">Mean cross-entropy over the epoch's training batches.</param>
/// <param name="TrainAccuracy">Fraction of training images classified correctly during the epoch.</param>
/// <param name="ValidationLoss">Mean cross-entropy on the evaluation set after the epoch (the validation split in the lessons).</param>
/// <param name="ValidationAccuracy">Top-1 accuracy on the evaluation set after the epoch (0…1).</param>
/// <param name="LearningRate">The learning rate used in this epoch.</param>
/// <param name="Seconds">Wall-clock time of the training part of the epoch (evaluation excluded).</param>
public sealed record EpochResult(int Epoch, double TrainLoss, double TrainAccuracy, double ValidationLoss, double ValidationAccuracy,
    double LearningRate, double Seconds);
