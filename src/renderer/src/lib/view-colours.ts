// The view colours for the renderer's components (defined in src/shared so the CLI's preview overview uses the same ones).
export { viewColour } from '../../../shared/view-colours';
