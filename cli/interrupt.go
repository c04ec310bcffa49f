package cli

import (
	"fmt"
	"io"

	"github.com/profundo/profundo/models"
)

// keepCheckpoint saves the run's state at the checkpoint after a signal
// stopped it in phase, before epoch (from 0) and batch, and says so; it
// returns errInterrupted (exit status 130). An epoch equal to --epochs
// means training had finished: a resumed run evaluates and saves.
func keepCheckpoint(f *trainFlags, model *models.Functional, epoch, batch int, phase string, cause error, stderr io.Writer) error {
	at := models.Checkpoint{Epoch: epoch, Batch: batch, Seed: f.seed, Run: f.run()}
	if err := model.SaveCheckpoint(f.checkpoint, at); err != nil {
		return fmt.Errorf("interrupted (%v); saving the checkpoint failed too: %w", cause, err)
	}
	if epoch < f.epochs {
		fmt.Fprintf(stderr, "Interrupted during %s, before epoch %d/%d, batch %d: checkpoint saved to %s; run the same command with --resume to continue.\n",
			phase, epoch+1, f.epochs, batch+1, f.checkpoint)
	} else {
		fmt.Fprintf(stderr, "Interrupted during %s, after the last epoch: the trained model's checkpoint saved to %s; run the same command with --resume to test and save it.\n",
			phase, f.checkpoint)
	}
	return errInterrupted
}
