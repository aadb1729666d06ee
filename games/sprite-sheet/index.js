// Sprite Sheet: one image holding four frames (a 2x2 sheet: red, green, blue, yellow), of which a
// single Asset node shows one at a time through the squish 1.4 crop insets (cropLeft/Top/Right/
// Bottom, percent of the source image cut off each edge). Click the picture, or press the right
// arrow or space, for the next frame. Needs squish-140 or newer: older versions drop the crop and
// draw the whole sheet.
const { Game, GameNode, Colors, Shapes, ShapeUtils, Asset } = require('squish-142');

const COLS = 2;
const ROWS = 2;
const NAMES = ['red', 'green', 'blue', 'yellow'];
const POS = { x: 30, y: 20 };
const SIZE = { x: 40, y: 60 };

// The insets that leave frame (col, row) of a cols x rows sheet (the authoring guide's frameCrop).
const frameCrop = (col, row, cols, rows) => ({
    cropLeft: (col / cols) * 100,
    cropRight: ((cols - 1 - col) / cols) * 100,
    cropTop: (row / rows) * 100,
    cropBottom: ((rows - 1 - row) / rows) * 100,
});

class SpriteSheet extends Game {
    static metadata() {
        return {
            squishVersion: '142',
            name: 'Sprite Sheet',
            author: 'homegames-rs',
            description: 'One image, four frames: click to flip through a cropped sprite sheet.',
            assets: {
                sheet: new Asset({ id: 'sheet.png', type: 'image' }),
            },
        };
    }

    constructor() {
        super();
        this.frame = 0;
        this.base = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: [40, 40, 48, 255] });
        // A plate a little larger than the picture, so the sheet's frame stands out from the table.
        this.plate = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(POS.x - 1, POS.y - 1.5, SIZE.x + 2, SIZE.y + 3), fill: [96, 96, 120, 255] });
        this.sprite = new GameNode.Asset({
            assetInfo: this.frameInfo(),
            coordinates2d: ShapeUtils.rectangle(POS.x, POS.y, SIZE.x, SIZE.y),
            onClick: () => this.next(),
        });
        this.caption = new GameNode.Text({ textInfo: { text: this.captionText(), x: 50, y: 86, size: 1.6, align: 'center', color: Colors.COLORS.WHITE } });
        this.base.addChildren(this.plate, this.sprite, this.caption);
    }

    // A fresh asset map for the current frame: the squisher reads `node.asset` when it squishes.
    frameInfo() {
        const col = this.frame % COLS;
        const row = Math.floor(this.frame / COLS);
        return { sheet: Object.assign({ pos: Object.assign({}, POS), size: Object.assign({}, SIZE) }, frameCrop(col, row, COLS, ROWS)) };
    }

    captionText() {
        return `frame ${this.frame + 1} of ${COLS * ROWS} (${NAMES[this.frame]}): click it or press space`;
    }

    next() {
        this.frame = (this.frame + 1) % (COLS * ROWS);
        this.sprite.node.asset = this.frameInfo();
        this.sprite.node.onStateChange();
        this.caption.node.text = Object.assign({}, this.caption.node.text, { text: this.captionText() });
        this.caption.node.onStateChange();
    }

    handleKeyDown(playerId, key) {
        if (key === ' ' || key === 'ArrowRight') this.next();
    }

    getLayers() {
        return [{ root: this.base }];
    }
}

module.exports = SpriteSheet;
