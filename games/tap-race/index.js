// Tap Race: every player gets a square; tap yours to grow your score. First to 10 wins.
// Written exactly as a squishjs game for the original server.
const { Game, GameNode, Colors, Shapes, ShapeUtils } = require('squish-135');

const GOAL = 10;

class TapRace extends Game {
    static metadata() {
        return {
            squishVersion: '135',
            name: 'Tap Race',
            author: 'homegames-rs',
            description: 'Tap your square faster than everyone else.',
            aspectRatio: { x: 16, y: 9 },
            tickRate: 10,
        };
    }

    constructor() {
        super();
        this.scores = {};
        this.squares = {};
        this.base = new GameNode.Shape({
            shapeType: Shapes.POLYGON,
            coordinates2d: ShapeUtils.rectangle(0, 0, 100, 100),
            fill: Colors.COLORS.ALMOST_WHITE,
        });
        this.title = new GameNode.Text({
            textInfo: { text: 'Tap Race', x: 50, y: 5, size: 2, align: 'center', color: Colors.COLORS.BLACK },
        });
        this.board = new GameNode.Shape({ shapeType: Shapes.POLYGON, coordinates2d: ShapeUtils.rectangle(0, 10, 100, 90) });
        this.base.addChildren(this.title, this.board);
        this.ticks = 0;
    }

    handleNewPlayer({ playerId, info }) {
        this.scores[playerId] = 0;
        const slot = Object.keys(this.squares).length;
        const square = new GameNode.Shape({
            shapeType: Shapes.POLYGON,
            coordinates2d: ShapeUtils.rectangle(10 + (slot % 4) * 22, 20 + Math.floor(slot / 4) * 30, 18, 18),
            fill: Colors.randomColor(['WHITE', 'ALMOST_WHITE']),
            onClick: (clicker) => this.tap(clicker, playerId),
            // Pointing at your own square outlines it for everyone: a player taking aim.
            onHover: (hoverer) => this.aim(hoverer, playerId, true),
            offHover: (hoverer) => this.aim(hoverer, playerId, false),
        });
        const label = new GameNode.Text({
            textInfo: { text: `${(info && info.name) || 'player'}: 0`, x: 19 + (slot % 4) * 22, y: 40 + Math.floor(slot / 4) * 30, size: 1, align: 'center', color: Colors.COLORS.BLACK },
        });
        this.squares[playerId] = { square, label, name: (info && info.name) || 'player' };
        this.board.addChildren(square, label);
    }

    handlePlayerDisconnect(playerId) {
        const entry = this.squares[playerId];
        if (entry) {
            this.board.removeChild(entry.square.node.id);
            this.board.removeChild(entry.label.node.id);
            delete this.squares[playerId];
        }
    }

    tap(clicker, owner) {
        if (clicker !== owner || this.winner) return;
        this.scores[owner] += 1;
        const entry = this.squares[owner];
        entry.label.node.text = Object.assign({}, entry.label.node.text, { text: `${entry.name}: ${this.scores[owner]}` });
        if (this.scores[owner] >= GOAL) {
            this.winner = owner;
            this.title.node.text = Object.assign({}, this.title.node.text, { text: `${entry.name} wins!` });
        }
        this.base.node.onStateChange();
    }

    aim(hoverer, owner, on) {
        const entry = this.squares[owner];
        if (hoverer !== owner || !entry) return;
        entry.square.node.border = on ? 6 : undefined;
        entry.square.node.color = on ? Colors.COLORS.BLACK : undefined;
        this.base.node.onStateChange();
    }

    tick() {
        this.ticks += 1;
    }

    getLayers() {
        return [{ root: this.base }];
    }
}

module.exports = TapRace;
