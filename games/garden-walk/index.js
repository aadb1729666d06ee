// Garden Walk: a 200×200 garden bigger than the screen. Each player has their own camera (WASD or
// arrows to walk) and sees the garden through it; everyone sees the flowers others plant (click).
const { ViewableGame, GameNode, Colors, Shapes, ShapeUtils, ViewUtils } = require('squish-135');

const WORLD = 200;
const STEP = 5;
const MOVES = { w: [0, -1], s: [0, 1], a: [-1, 0], d: [1, 0], ArrowUp: [0, -1], ArrowDown: [0, 1], ArrowLeft: [-1, 0], ArrowRight: [1, 0] };

class GardenWalk extends ViewableGame {
    static metadata() {
        return { squishVersion: '135', name: 'Garden Walk', author: 'homegames-rs', description: 'Walk a garden bigger than your screen and plant flowers for your friends.' };
    }

    constructor() {
        super(WORLD);
        this.plane.node.fill = [124, 186, 96, 255];
        this.plane.addChild(new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(90, 0, 20, WORLD), fill: [196, 170, 120, 255] }));
        for (let i = 0; i < 24; i++) {
            const x = 5 + Math.random() * 180;
            const y = 5 + Math.random() * 180;
            this.plane.addChild(new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(x, y, 6, 6), fill: [46, 110, 52, 255] }));
        }
        this.cameras = {};
        this.views = {};
    }

    handleNewPlayer({ playerId }) {
        this.cameras[playerId] = { x: 50, y: 50 };
        this.renderView(playerId);
    }

    handlePlayerDisconnect(playerId) {
        if (this.views[playerId]) this.getViewRoot().removeChild(this.views[playerId].node.id);
        delete this.views[playerId];
        delete this.cameras[playerId];
    }

    handleKeyDown(playerId, key) {
        const cam = this.cameras[playerId];
        if (!cam || !MOVES[key]) return;
        cam.x = Math.max(0, Math.min(WORLD - 100, cam.x + MOVES[key][0] * STEP));
        cam.y = Math.max(0, Math.min(WORLD - 100, cam.y + MOVES[key][1] * STEP));
        this.renderView(playerId);
    }

    plant(playerId, x, y) {
        const cam = this.cameras[playerId];
        if (!cam) return;
        const wx = cam.x + x;
        const wy = cam.y + y;
        this.plane.addChild(new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(wx - 1.5, wy - 1.5, 3, 3), fill: Colors.randomColor(['BLACK', 'WHITE']) }));
        for (const id of Object.keys(this.cameras)) this.renderView(Number(id));
    }

    renderView(playerId) {
        const cam = this.cameras[playerId];
        // getView copies what lies on the plane, not the plane itself: the grass is drawn under it.
        const view = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: this.plane.node.fill, playerIds: [playerId] });
        const seen = ViewUtils.getView(this.getPlane(), { x: cam.x, y: cam.y, w: 100, h: 100 }, [playerId]);
        seen.node.playerIds = [playerId];
        view.addChild(seen);
        // A transparent layer on top catches clicks for planting.
        view.addChild(new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100), fill: [0, 0, 0, 0], playerIds: [playerId], onClick: (p, x, y) => this.plant(p, x, y) }));
        view.addChild(new GameNode.Text({ textInfo: { text: `(${cam.x}, ${cam.y})`, x: 3, y: 3, size: 1.2, align: 'left', color: Colors.COLORS.BLACK }, playerIds: [playerId] }));
        const old = this.views[playerId];
        this.views[playerId] = view;
        if (old) this.getViewRoot().removeChild(old.node.id);
        this.getViewRoot().addChild(view);
    }
}

module.exports = GardenWalk;
