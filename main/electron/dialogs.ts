// Native dialogs for the commands (the web host has none). Whatever the person picks here is granted.
import { type BrowserWindow, dialog } from 'electron';
import type { Dialogs, FolderPurpose } from '../commands/context';

const photoExtensions = ['jpg', 'jpeg', 'png', 'webp', 'tif', 'tiff', 'heic', 'avif'];

const folderTitles: Record<FolderPurpose, string> = {
  input: 'Folder of photos to clean',
  masks: 'Folder of masks',
  output: 'Folder for the cleaned photos',
};

export function electronDialogs(window: () => BrowserWindow | null): Dialogs {
  const open = async (options: Electron.OpenDialogOptions) => {
    const parent = window();
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  };
  return {
    openPhoto: () => open({ title: 'Open Photo', properties: ['openFile'], filters: [{ name: 'Photos', extensions: photoExtensions }] }),
    openMaskFile: () => open({ title: 'Mask', properties: ['openFile'], filters: [{ name: 'Masks', extensions: ['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff'] }] }),
    openFolder: (purpose) => open({ title: folderTitles[purpose], properties: ['openDirectory', ...(purpose === 'output' ? (['createDirectory'] as const) : [])] }),
    async saveExport(defaultPath) {
      const parent = window();
      const options: Electron.SaveDialogOptions = { title: 'Export As', defaultPath, properties: ['showOverwriteConfirmation', 'createDirectory'] };
      const result = parent ? await dialog.showSaveDialog(parent, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  };
}
